#Requires -Version 7.2
<#
.SYNOPSIS
    Grants an application role of an API to a managed identity, or lists the roles an identity holds, through
    Microsoft Graph REST (the retired AzureAD module is not needed).

.DESCRIPTION
    The modern form of the classic role-assignment script, with its checks and exit codes:
      10  the managed identity (service principal) was not found
      20  the API's service principal was not found
      30  the API has no enabled app role with that value that applications may hold
    Other exit codes: 0 done (also when the assignment already existed), 1 Graph refused or failed, 2 no access token.

    Deploying infra/main.bicep with deployGraph=true makes the same assignments; use this script when the deployer
    lacks directory rights and an administrator grants the roles instead.

    The Graph token comes from -AccessToken, else from the GRAPH_ACCESS_TOKEN environment variable (which keeps it off
    the command line), else from the signed-in Azure CLI, else from Az PowerShell. It needs Application.Read.All and
    AppRoleAssignment.ReadWrite.All (or a directory role that includes them).

.EXAMPLE
    ./Grant-AppRole.ps1 -IdentityName func-mi-sample-abc123 -ApiAppId 3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64 -RoleName Api.Read

.EXAMPLE
    ./Grant-AppRole.ps1 -IdentityName func-mi-sample-abc123 -ApiName 'Microsoft Graph' -RoleName User.Read.All -WhatIf

.EXAMPLE
    ./Grant-AppRole.ps1 -IdentityName func-mi-sample-abc123 -List
#>
[CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'ByApiAppId')]
param(
    # Display name of the managed identity's service principal (a system-assigned identity is named after its app).
    [Parameter(Mandatory)]
    [ValidateNotNullOrEmpty()]
    [string] $IdentityName,

    # The API's application (client) id.
    [Parameter(Mandatory, ParameterSetName = 'ByApiAppId')]
    [ValidatePattern('^[0-9a-fA-F-]{36}$')]
    [string] $ApiAppId,

    # The API's service principal display name, e.g. 'Microsoft Graph'.
    [Parameter(Mandatory, ParameterSetName = 'ByApiName')]
    [ValidateNotNullOrEmpty()]
    [string] $ApiName,

    # The app role's value, e.g. Api.Read or User.Read.All.
    [Parameter(Mandatory, ParameterSetName = 'ByApiAppId')]
    [Parameter(Mandatory, ParameterSetName = 'ByApiName')]
    [ValidateNotNullOrEmpty()]
    [string] $RoleName,

    # Show the app roles the identity holds, on every API, instead of assigning one.
    [Parameter(Mandatory, ParameterSetName = 'List')]
    [switch] $List,

    # A Microsoft Graph access token; by default one is taken from the Azure CLI or Az PowerShell sign-in.
    [securestring] $AccessToken,

    # Microsoft Graph's base URL: a national cloud's, or the identity emulator's for local tests.
    [ValidatePattern('^https?://')]
    [string] $GraphBaseUrl = 'https://graph.microsoft.com/v1.0'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Get-GraphToken {
    if ($AccessToken) {
        return $AccessToken
    }

    if ($env:GRAPH_ACCESS_TOKEN) {
        return ConvertTo-SecureString $env:GRAPH_ACCESS_TOKEN -AsPlainText -Force
    }

    if (Get-Command az -ErrorAction SilentlyContinue) {
        $token = az account get-access-token --resource-type ms-graph --query accessToken --output tsv 2>$null
        if ($LASTEXITCODE -eq 0 -and $token) {
            return ConvertTo-SecureString $token -AsPlainText -Force
        }
    }

    if (Get-Command Get-AzAccessToken -ErrorAction SilentlyContinue) {
        $az = Get-AzAccessToken -ResourceTypeName MSGraph -AsSecureString -ErrorAction SilentlyContinue
        if ($az) {
            return $az.Token
        }
    }

    Write-Error 'No Microsoft Graph token: pass -AccessToken, or sign in with az login or Connect-AzAccount.' -ErrorAction Continue
    exit 2
}

function Invoke-Graph([string] $Method, [string] $Path, $Body, [switch] $ExistingIsDone) {
    $base = $GraphBaseUrl.TrimEnd('/')
    $request = @{
        Method         = $Method
        # A nextLink is absolute; it must point back at Graph, or the token would follow it elsewhere.
        Uri            = if ($Path -match '^https?://') { $Path } else { "$base/$Path" }
        Authentication = 'Bearer'
        Token          = $script:token
        ContentType    = 'application/json'
        # The emulator is plain HTTP on loopback; Graph itself is always HTTPS.
        AllowUnencryptedAuthentication = $GraphBaseUrl.StartsWith('http://127.0.0.1') -or $GraphBaseUrl.StartsWith('http://localhost')
    }
    if (-not $request.Uri.StartsWith("$base/", [StringComparison]::OrdinalIgnoreCase)) {
        Write-Error "Microsoft Graph pointed at $($request.Uri), outside $base; not following it with the token." -ErrorAction Continue
        exit 1
    }
    if ($null -ne $Body) {
        $request.Body = $Body | ConvertTo-Json -Depth 5 -Compress
    }

    for ($attempt = 1; ; $attempt++) {
        try {
            return Invoke-RestMethod @request
        }
        catch {
            $failure = $_
            $response = $failure.Exception.PSObject.Properties['Response']?.Value
            $status = if ($response) { "$([int]$response.StatusCode)" } else { 'nothing' }
            # Throttled or briefly unavailable: wait as Graph asks (Retry-After, else 2 s), up to three times.
            if ($status -in '429', '503' -and $attempt -le 3) {
                $retryAfter = $response.Headers.RetryAfter
                $wait = if (${retryAfter}?.Delta) { $retryAfter.Delta.TotalSeconds } elseif (${retryAfter}?.Date) { ($retryAfter.Date - [DateTimeOffset]::UtcNow).TotalSeconds } else { 2 }
                Write-Verbose "Microsoft Graph answered $status; retrying in $wait s"
                Start-Sleep -Seconds ([Math]::Min([Math]::Max($wait, 0), 60))
                continue
            }
            # Graph's error body ({"error":{"code","message"}}) says why; without one, the exception does.
            $detail = $failure.Exception.Message
            if ($failure.ErrorDetails -and $failure.ErrorDetails.Message) {
                try { $detail = ($failure.ErrorDetails.Message | ConvertFrom-Json).error.message } catch { $detail = $failure.ErrorDetails.Message }
            }
            if ($ExistingIsDone -and $status -eq '400' -and $detail -like '*already exists on the object*') {
                return $null
            }
            Write-Error "Microsoft Graph answered $status to $Method $Path`: $detail" -ErrorAction Continue
            exit 1
        }
    }
}

# Every item of a collection: Graph answers in pages and links the next one.
function Get-GraphList([string] $Path) {
    $page = Invoke-Graph GET $Path
    $items = @($page.value)
    while ($next = $page.PSObject.Properties['@odata.nextLink']?.Value) {
        $page = Invoke-Graph GET $next
        $items += @($page.value)
    }
    return $items
}

function Find-ServicePrincipal([string] $Filter) {
    return @(Get-GraphList "servicePrincipals?`$filter=$([uri]::EscapeDataString($Filter))")
}

$script:token = Get-GraphToken

# Only managed identities: an app registration or another service principal may carry the same display name.
$identity = Find-ServicePrincipal "displayName eq '$($IdentityName.Replace("'", "''"))' and servicePrincipalType eq 'ManagedIdentity'" | Select-Object -First 1
if (-not $identity) {
    Write-Error "Managed identity '$IdentityName' not found: is the app's identity enabled, and is this its name?" -ErrorAction Continue
    exit 10
}

if ($List) {
    $assignments = Get-GraphList "servicePrincipals/$($identity.id)/appRoleAssignments"
    $rows = foreach ($assignment in $assignments) {
        $resource = Invoke-Graph GET "servicePrincipals/$($assignment.resourceId)"
        $role = $resource.appRoles | Where-Object { $_.id -eq $assignment.appRoleId } | Select-Object -First 1
        [pscustomobject]@{
            Api  = $assignment.resourceDisplayName
            Role = if ($role) { $role.value } else { $assignment.appRoleId }
            Id   = $assignment.id
        }
    }
    if ($rows) {
        $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Output
    }
    else {
        Write-Output "'$IdentityName' holds no app roles: its tokens carry no roles claim."
    }
    exit 0
}

$api = if ($PSCmdlet.ParameterSetName -eq 'ByApiAppId') {
    Find-ServicePrincipal "appId eq '$ApiAppId'" | Select-Object -First 1
}
else {
    Find-ServicePrincipal "displayName eq '$($ApiName.Replace("'", "''"))'" | Select-Object -First 1
}
if (-not $api) {
    Write-Error "The API's service principal was not found ($ApiAppId$ApiName): create it (az ad sp create --id <appId>) or check the name." -ErrorAction Continue
    exit 20
}

$role = $api.appRoles | Where-Object { $_.value -eq $RoleName -and $_.isEnabled -and $_.allowedMemberTypes -contains 'Application' } | Select-Object -First 1
if (-not $role) {
    $available = ($api.appRoles | Where-Object { $_.allowedMemberTypes -contains 'Application' } | ForEach-Object value) -join ', '
    Write-Error "'$($api.displayName)' has no enabled app role '$RoleName' for applications (available: $available)." -ErrorAction Continue
    exit 30
}

$existing = Get-GraphList "servicePrincipals/$($identity.id)/appRoleAssignments" |
    Where-Object { $_.resourceId -eq $api.id -and $_.appRoleId -eq $role.id }
if ($existing) {
    Write-Output "'$IdentityName' already holds $RoleName on '$($api.displayName)'; nothing to do."
    exit 0
}

if ($PSCmdlet.ShouldProcess("'$IdentityName' ($($identity.id))", "Grant $RoleName on '$($api.displayName)'")) {
    $assignment = Invoke-Graph POST "servicePrincipals/$($api.id)/appRoleAssignedTo" @{
        principalId = $identity.id
        resourceId  = $api.id
        appRoleId   = $role.id
    } -ExistingIsDone
    if (-not $assignment) {
        # The check above can miss an assignment Entra is still replicating; Graph's own check does not.
        Write-Output "'$IdentityName' already holds $RoleName on '$($api.displayName)' (Graph: the assignment already exists); nothing to do."
        exit 0
    }
    Write-Output "Granted $RoleName on '$($api.displayName)' to '$IdentityName' (assignment $($assignment.id))."
    Write-Output 'Tokens issued before now lack the role until they expire: the managed-identity platform caches them for up to 24 hours, and restarting the app does not renew them.'
}
exit 0
