#!/usr/bin/env pwsh
# Runs the Function app locally against the identity emulator, with no Azure subscription:
#   1. checks that Azure Functions Core Tools (func) is installed,
#   2. creates local.settings.json from local.settings.sample.json if there is none,
#   3. starts Azurite (storage for the timer trigger) unless something already listens on 10000,
#   4. starts the identity emulator with tools/IdentityEmulator/tenant.sample.json on 127.0.0.1:5180,
#   5. starts the sample protected API on 127.0.0.1:5181, validating tokens against the emulator,
#   6. runs 'func start' in FunctionApp/ with DefaultAzureCredential getting its tokens from the emulator as
#      --as says: managed-identity (default: IDENTITY_ENDPOINT and IDENTITY_HEADER, as in Azure),
#      service-principal (the tenant's "Local developer app" with its secret, through Entra's token endpoint over
#      HTTPS, as with AZURE_CLIENT_ID/AZURE_CLIENT_SECRET against a real tenant) or azure-cli (a developer's sign-in:
#      the emulator's az stand-in, signed in as AZ_EMULATOR_USER, gives a user token with no application role),
#   7. stops what it started when func exits (or on Ctrl+C).
# --no-func stops after step 5 and keeps the rest running until Ctrl+C, for a func started elsewhere (VS Code's F5,
# .vscode/tasks.json); the emulator's identity header is then IDENTITY_HEADER if set, so that func can carry it too.
#
# Usage: dotnet pwsh scripts/run-local.ps1 [--no-azurite] [--no-func] [--as managed-identity|service-principal|azure-cli] [-- <func start arguments>]
#        scripts/run-local.sh takes the same options (it runs this script).
# Ports: EMULATOR_PORT (5180), EMULATOR_HTTPS_PORT (5443) and API_PORT (5181).
# Exit codes: 2 a mistake in the options, 3 a missing tool, 4 the emulator or the sample API did not start; else func's.

#Requires -Version 7.2
# The options are bash-style (--no-azurite, --as x, --) so that a command reads the same on every OS; they are
# parsed from $args, which is why this script has no param() block.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = Split-Path -Parent $PSScriptRoot
$port = if ($env:EMULATOR_PORT) { $env:EMULATOR_PORT } else { '5180' }
$httpsPort = if ($env:EMULATOR_HTTPS_PORT) { $env:EMULATOR_HTTPS_PORT } else { '5443' }
$apiPort = if ($env:API_PORT) { $env:API_PORT } else { '5181' }

function Write-Note([string] $Message) { [Console]::Out.WriteLine($Message) }
function Write-Problem([string] $Message) { [Console]::Error.WriteLine($Message) }

$startAzurite = $true
$startFunc = $true
$identity = 'managed-identity'
$funcArgs = [string[]] @()
$arguments = [string[]] $args
for ($i = 0; $i -lt $arguments.Count; $i++) {
    $argument = $arguments[$i]
    if ($argument -ceq '--no-azurite') {
        $startAzurite = $false
    }
    elseif ($argument -ceq '--no-func') {
        $startFunc = $false
    }
    elseif ($argument -ceq '--as') {
        $value = if ($i + 1 -lt $arguments.Count) { $arguments[$i + 1] } else { '' }
        if ($value -cnotin 'managed-identity', 'service-principal', 'azure-cli') {
            Write-Problem 'run-local: --as takes managed-identity, service-principal or azure-cli'
            exit 2
        }
        $identity = $value
        $i++
    }
    elseif ($argument -ceq '--') {
        $funcArgs = [string[]] @($arguments | Select-Object -Skip ($i + 1))
        break
    }
    elseif ($argument -ceq '-h' -or $argument -ceq '--help') {
        # The comment block at the top of this file, as the bash script printed its own.
        foreach ($line in (Get-Content -LiteralPath $PSCommandPath | Select-Object -Skip 1)) {
            if (-not $line.StartsWith('#', [StringComparison]::Ordinal)) { break }
            Write-Note ($line -replace '^# ?', '')
        }
        exit 0
    }
    else {
        Write-Problem "run-local: unknown argument '$argument' (see --help)"
        exit 2
    }
}
if (-not $startFunc -and $funcArgs.Count -gt 0) {
    Write-Problem "run-local: --no-func starts no func to give '$($funcArgs -join ' ')' to"
    exit 2
}

# On Windows a command is func.exe (the MSI, winget) or func.cmd (npm); npm's func.ps1 and extensionless func are not
# programs Process.Start can run there.
function Find-Program([string] $Name) {
    Get-Command $Name -CommandType Application -ErrorAction Ignore |
        Where-Object { -not $IsWindows -or $_.Extension -in '.exe', '.cmd', '.bat' } |
        Select-Object -First 1
}

$func = $null
if ($startFunc) {
    $func = Find-Program 'func'
    if (-not $func) {
        Write-Problem @'
run-local: Azure Functions Core Tools ('func', version 4) is not installed or not on PATH.
Install it, then run this script again:
  npm:     npm install --global azure-functions-core-tools@4 --unsafe-perm true
  macOS:   brew tap azure/functions && brew install azure-functions-core-tools@4
  Windows: winget install Microsoft.Azure.FunctionsCoreTools
  Linux:   https://learn.microsoft.com/azure/azure-functions/functions-run-local#install-the-azure-functions-core-tools
'@.TrimEnd()
        exit 3
    }
}
$dotnet = Find-Program 'dotnet'
if (-not $dotnet) {
    Write-Problem "run-local: the .NET SDK ('dotnet') is not on PATH; install the version global.json names: https://dotnet.microsoft.com/download"
    exit 3
}
if ($startFunc -and $identity -eq 'azure-cli' -and $IsWindows) {
    # AzureCliCredential runs 'cmd /c az' there, which would find a real Azure CLI rather than the POSIX sh stand-in,
    # and send its user's token to the emulator.
    Write-Problem 'run-local: --as azure-cli needs the emulator''s az stand-in, a POSIX sh script that Windows cannot run; use WSL, or --as managed-identity'
    exit 2
}

$settings = Join-Path $root 'local.settings.json'
if (-not (Test-Path -LiteralPath $settings -PathType Leaf)) {
    Copy-Item -LiteralPath (Join-Path $root 'local.settings.sample.json') -Destination $settings
    Write-Note 'run-local: created local.settings.json from local.settings.sample.json'
}

$state = Join-Path $root '.emulator'
New-Item -ItemType Directory -Force -Path $state | Out-Null

function Test-Listening([int] $Number) {
    $client = [System.Net.Sockets.TcpClient]::new()
    try { return $client.ConnectAsync([System.Net.IPAddress]::Loopback, $Number).Wait(1000) }
    catch { return $false }
    finally { $client.Dispose() }
}

# What this script started, stopped with their children (dotnet run's app, npx's node) in the finally block below,
# which also runs on Ctrl+C.
$started = [System.Collections.Generic.List[object]]::new()

# Starts a background process with its standard output and error in one log file, as 'cmd >log 2>&1 &' does.
function Start-Logged([string] $Program, [string[]] $ArgumentList, [string] $Log) {
    $info = [System.Diagnostics.ProcessStartInfo]::new($Program)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    # Unbuffered, and shared so the log can be read while the process runs; Synchronized because both pipes write.
    $file = [System.IO.FileStream]::new($Log, 'Create', 'Write', 'ReadWrite', 1)
    $stream = [System.IO.Stream]::Synchronized($file)
    $process = [System.Diagnostics.Process]::Start($info)
    $process.StandardInput.Close()
    $copies = [System.Threading.Tasks.Task]::WhenAll(
        $process.StandardOutput.BaseStream.CopyToAsync($stream),
        $process.StandardError.BaseStream.CopyToAsync($stream))
    $entry = [pscustomobject]@{ Process = $process; Copies = $copies; Stream = $stream }
    $started.Add($entry)
    return $entry
}

function Read-Log([string] $Log) {
    $reader = [System.IO.StreamReader]::new([System.IO.FileStream]::new($Log, 'Open', 'Read', 'ReadWrite'))
    try { return $reader.ReadToEnd().TrimEnd() } finally { $reader.Dispose() }
}

function Stop-Started {
    foreach ($entry in $started) {
        $process = $entry.Process
        # Best effort, as cleanup must be: a process may exit between the check and the kill.
        try {
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.WaitForExit(5000) | Out-Null
        }
        catch { }
        if ($entry.Stream) {
            try { $entry.Copies.Wait(2000) | Out-Null } catch { }
            $entry.Stream.Dispose()
        }
        $process.Dispose()
    }
    $started.Clear()
}

try {
    if ($startAzurite) {
        $npx = Find-Program 'npx'
        if (Test-Listening 10000) {
            Write-Note 'run-local: storage is already listening on 127.0.0.1:10000'
        }
        elseif ($npx) {
            Write-Note 'run-local: starting Azurite (the timer trigger keeps its schedule in storage)'
            Start-Logged $npx.Source @('--yes', 'azurite', '--silent', '--skipApiVersionCheck', '--location', (Join-Path $state 'azurite'),
                '--blobHost', '127.0.0.1', '--queueHost', '127.0.0.1', '--tableHost', '127.0.0.1') (Join-Path $state 'azurite.log') | Out-Null
        }
        else {
            Write-Problem 'run-local: warning: no storage on 127.0.0.1:10000 and no npx to start Azurite; the timer trigger will not run'
        }
    }

    # A fresh secret per run, as the platform does; the app reads it from IDENTITY_HEADER. A func this script does not
    # start (--no-func) can only be given the secret beforehand.
    $identityHeader = if (-not $startFunc -and $env:IDENTITY_HEADER) { $env:IDENTITY_HEADER }
    else { [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16)).ToLowerInvariant() }
    $envFile = Join-Path $state 'emulator.env'
    Remove-Item -LiteralPath $envFile -Force -ErrorAction Ignore
    $emulatorProject = Join-Path $root 'tools' 'IdentityEmulator'
    $apiProject = Join-Path $root 'samples' 'ProtectedApi'
    foreach ($project in $emulatorProject, $apiProject) {
        & $dotnet.Source build $project --nologo --verbosity quiet
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    $emulatorLog = Join-Path $state 'emulator.log'
    $emulatorRun = Start-Logged $dotnet.Source @('run', '--project', $emulatorProject, '--no-build', '--',
        '--port', $port, '--https-port', $httpsPort, '--https-cert-file', (Join-Path $state 'emulator-https.pem'),
        '--tenant', (Join-Path $emulatorProject 'tenant.sample.json'),
        '--identity-header', $identityHeader, '--env-file', $envFile) $emulatorLog
    $emulator = $emulatorRun.Process

    $ready = { (Test-Path -LiteralPath $envFile -PathType Leaf) -and (Get-Item -LiteralPath $envFile).Length -gt 0 }
    for ($n = 0; $n -lt 100 -and -not (& $ready); $n++) {
        if ($emulator.HasExited) {
            $emulatorRun.Copies.Wait(2000) | Out-Null
            Write-Problem 'run-local: the identity emulator did not start:'
            Write-Problem (Read-Log $emulatorLog)
            exit 4
        }
        Start-Sleep -Milliseconds 200
    }
    if (-not (& $ready)) {
        Write-Problem 'run-local: the identity emulator did not start within 20 s'
        exit 4
    }
    $emulatorEnvironment = @{}
    foreach ($line in Get-Content -LiteralPath $envFile) {
        $name, $value = $line -split '=', 2
        if ($name) { $emulatorEnvironment[$name] = $value }
    }

    # func's environment: this process's, with these changes ($null removes a variable). Environment variables win
    # over local.settings.json in func, so these hold even if that file was edited for a real tenant: Graph calls go
    # to the emulator, and AZURE_TOKEN_CREDENTIALS pins DefaultAzureCredential to the one credential --as chose, so a
    # developer's own sign-in or AZURE_CLIENT_SECRET cannot answer instead.
    $funcEnvironment = [ordered]@{}
    foreach ($name in $emulatorEnvironment.Keys) { $funcEnvironment[$name] = $emulatorEnvironment[$name] }
    $funcEnvironment['Graph__BaseUrl'] = "http://127.0.0.1:$port/v1.0"
    $funcEnvironment['Identity__Credential'] = 'DefaultAzureCredential'
    switch ($identity) {
        'managed-identity' {
            $funcEnvironment['AZURE_TOKEN_CREDENTIALS'] = 'ManagedIdentityCredential'
            $funcEnvironment['AZURE_AUTHORITY_HOST'] = $null
        }
        'service-principal' {
            # The sample tenant's "Local developer app" (tools/IdentityEmulator/tenant.sample.json): emulator-only secret.
            $funcEnvironment['AZURE_TOKEN_CREDENTIALS'] = 'EnvironmentCredential'
            $funcEnvironment['Identity__DisableInstanceDiscovery'] = 'true'
            $funcEnvironment['AZURE_CLIENT_ID'] = '8b2d6e4f-1a3c-4e5b-9d7f-2c4a6e8b0d15'
            $funcEnvironment['AZURE_CLIENT_SECRET'] = 'emulator-only-local-dev-secret'
            $funcEnvironment['IDENTITY_ENDPOINT'] = $null
            $funcEnvironment['IDENTITY_HEADER'] = $null
            if ($startFunc -and -not $IsLinux) {
                Write-Problem 'run-local: warning: SSL_CERT_FILE does not make .NET trust the emulator''s HTTPS certificate on Windows or macOS; this path works on Linux and WSL (docs/local-development.md)'
            }
        }
        'azure-cli' {
            $funcEnvironment['AZURE_TOKEN_CREDENTIALS'] = 'AzureCliCredential'
            $funcEnvironment['PATH'] = (Join-Path $root 'tools' 'IdentityEmulator' 'azure-cli') + [System.IO.Path]::PathSeparator + $env:PATH
            $funcEnvironment['IDENTITY_EMULATOR_URL'] = "http://127.0.0.1:$port"
            $funcEnvironment['AZ_EMULATOR_USER'] = if ($env:AZ_EMULATOR_USER) { $env:AZ_EMULATOR_USER } else { 'adele.vance@contoso.example' }
            $funcEnvironment['IDENTITY_ENDPOINT'] = $null
            $funcEnvironment['IDENTITY_HEADER'] = $null
            $funcEnvironment['AZURE_AUTHORITY_HOST'] = $null
        }
    }
    # The env file names the emulator's certificate as SSL_CERT_FILE; only the service-principal path needs it.
    if ($identity -ne 'service-principal') {
        $funcEnvironment['SSL_CERT_FILE'] = if ($env:SSL_CERT_FILE) { $env:SSL_CERT_FILE } else { $null }
    }
    Write-Note "run-local: identity emulator on http://127.0.0.1:$port and https://127.0.0.1:$httpsPort (log: .emulator/emulator.log); the app runs as: $identity"

    # The sample API is registered in the emulator's tenant under the appId the settings name (CustomApi__AppId), with
    # its Application ID URI set and Api.Read assigned to the app's identity. Only its metadata address is local.
    $apiAppId = [regex]::Match([System.IO.File]::ReadAllText($settings), '"CustomApi__AppId": *"([^"]*)"').Groups[1].Value
    if ($apiAppId) {
        $tenantId = $emulatorEnvironment['AZURE_TENANT_ID']
        $apiLog = Join-Path $state 'api.log'
        Start-Logged $dotnet.Source @('run', '--project', $apiProject, '--no-build', '--no-launch-profile', '--',
            '--urls', "http://127.0.0.1:$apiPort",
            "--EntraApi:TenantId=$tenantId", "--EntraApi:ClientId=$apiAppId",
            "--EntraApi:MetadataAddress=http://127.0.0.1:$port/$tenantId/v2.0/.well-known/openid-configuration") $apiLog | Out-Null
        for ($n = 0; $n -lt 100 -and -not (Test-Listening $apiPort); $n++) { Start-Sleep -Milliseconds 200 }
        if (-not (Test-Listening $apiPort)) {
            Write-Problem 'run-local: the sample API did not start:'
            Write-Problem (Read-Log $apiLog)
            exit 4
        }
        $funcEnvironment['CustomApi__BaseUrl'] = "http://127.0.0.1:$apiPort/"
        Write-Note "run-local: sample protected API on http://127.0.0.1:$apiPort (log: .emulator/api.log)"
    }
    else {
        Write-Note 'run-local: no CustomApi__AppId in local.settings.json; the sample API is not started'
    }

    if (-not $startFunc) {
        # .vscode/tasks.json waits for this line before it starts func.
        Write-Note 'run-local: ready; func is not started (--no-func). Ctrl+C stops what this script started.'
        while (-not $emulator.HasExited) { Start-Sleep -Milliseconds 500 }
        $emulatorRun.Copies.Wait(2000) | Out-Null
        Write-Problem 'run-local: the identity emulator stopped:'
        Write-Problem (Read-Log $emulatorLog)
        exit 4
    }

    # func in the foreground, on this console, with its own environment; this process's stays as it was.
    $info = [System.Diagnostics.ProcessStartInfo]::new($func.Source)
    foreach ($argument in @('start') + $funcArgs) { $info.ArgumentList.Add($argument) }
    $info.WorkingDirectory = Join-Path $root 'FunctionApp'
    foreach ($name in $funcEnvironment.Keys) {
        if ($null -eq $funcEnvironment[$name]) { $info.Environment.Remove($name) | Out-Null }
        else { $info.Environment[$name] = $funcEnvironment[$name] }
    }
    $funcProcess = [System.Diagnostics.Process]::Start($info)
    $started.Add([pscustomobject]@{ Process = $funcProcess; Copies = $null; Stream = $null })
    # A short wait in a loop rather than one long one, so that Ctrl+C reaches the finally block at once.
    while (-not $funcProcess.WaitForExit(200)) { }
    $funcProcess.WaitForExit()
    exit $funcProcess.ExitCode
}
finally {
    # On Ctrl+C func has the same signal: give it a moment to stop its worker before the kill.
    if ((Get-Variable funcProcess -ErrorAction Ignore) -and -not $funcProcess.HasExited) { $funcProcess.WaitForExit(5000) | Out-Null }
    Stop-Started
}
