using System.Diagnostics;
using System.Runtime.Versioning;
using TestSupport;
using static FunctionApp.Tests.RunLocalScript;

namespace FunctionApp.Tests;

/// <summary>
/// scripts/run-local.ps1 run directly with 'dotnet pwsh', as on Windows and macOS: the same options, messages and exit
/// codes as the bash launcher gives, and the same environment for func.
/// </summary>
[Collection(nameof(RepositoryRootFiles))]
public sealed class RunLocalScriptPowerShellTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public async Task Script_WhenParsedByPowerShell_HasNoErrors()
    {
        await PowerShell.EnsureRestoredAsync();
        var info = new ProcessStartInfo(Dotnet, ["pwsh", "-NoLogo", "-NoProfile", "-Command",
            "$errors = $null; [System.Management.Automation.Language.Parser]::ParseFile($env:SCRIPT, [ref]$null, [ref]$errors) | Out-Null; " +
            "$errors | ForEach-Object { \"$($_.Extent.StartLineNumber): $($_.Message)\" }; exit $errors.Count"])
        {
            WorkingDirectory = Root,
            Environment = { ["SCRIPT"] = PowerShellScript },
        };
        var parse = await ProcessRun.RunAsync(info);

        Assert.True(parse.ExitCode == 0, $"parse errors:\n{parse.Stdout}{parse.Stderr}");
    }

    [Fact]
    public async Task Help_PrintsTheStepsOptionsAndPortsAndExits0()
    {
        var (exitCode, stdout, stderr) = await RunAsync(Launcher.PowerShell, DotnetDirectory, NoEnvironment, "--help");

        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        Assert.StartsWith("Runs the Function app locally against the identity emulator", stdout, StringComparison.Ordinal);
        Assert.Contains("[--no-azurite] [--no-func] [--as managed-identity|service-principal|azure-cli] [-- <func start arguments>]", stdout, StringComparison.Ordinal);
        Assert.Contains("Ports: EMULATOR_PORT (5180), EMULATOR_HTTPS_PORT (5443) and API_PORT (5181).", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("#", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run-local: unknown argument '--bogus' (see --help)", "--no-azurite", "--bogus")]
    [InlineData("run-local: --as takes managed-identity, service-principal or azure-cli", "--as", "workload-identity")]
    public async Task Run_WithABadArgument_SaysWhatIsWrongAndExits2(string message, params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunAsync(Launcher.PowerShell, DotnetDirectory, NoEnvironment, args);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal(message, stderr.TrimEnd());
    }

    [Fact]
    public async Task Run_WithoutCoreTools_SaysHowToInstallAndExits3BeforeCreatingSettings()
    {
        var settings = Path.Combine(Root, "local.settings.json");
        var hadSettings = File.Exists(settings);

        // PATH is the dotnet host's directory only: PowerShell runs, func is nowhere.
        var (exitCode, stdout, stderr) = await RunAsync(Launcher.PowerShell, DotnetDirectory, NoEnvironment);

        Assert.Equal(3, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("run-local: Azure Functions Core Tools ('func', version 4) is not installed or not on PATH.", stderr, StringComparison.Ordinal);
        Assert.Contains("npm install --global azure-functions-core-tools@4", stderr, StringComparison.Ordinal);
        Assert.Contains("winget install Microsoft.Azure.FunctionsCoreTools", stderr, StringComparison.Ordinal);
        Assert.Equal(hadSettings, File.Exists(settings));
    }

    [Fact]
    public async Task Run_WhenTheEmulatorsPortIsTaken_ShowsTheEmulatorsLogAndExits4()
    {
        var settings = Path.Combine(Root, "local.settings.json");
        var hadSettings = File.Exists(settings);
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        try
        {
            // --no-func needs no func, so this runs on every OS.
            var (exitCode, _, stderr) = await RunAsync(Launcher.PowerShell, Environment.GetEnvironmentVariable("PATH")!, new Dictionary<string, string>
            {
                ["EMULATOR_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["EMULATOR_HTTPS_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["API_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, "--no-azurite", "--no-func");

            Assert.Equal(4, exitCode);
            Assert.StartsWith("run-local: the identity emulator did not start:", stderr, StringComparison.Ordinal);
            Assert.Contains("identity-emulator: ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (!hadSettings)
            {
                File.Delete(settings);
            }
        }
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public async Task Run_WithCoreTools_GivesFuncTheEmulatorsEnvironmentAndStopsEverythingAfterwards()
    {
        var developerCertificates = Environment.GetEnvironmentVariable("SSL_CERT_FILE") is { Length: > 0 } file ? file : "unset";
        var run = await RunWithFakeFuncAsync(Launcher.PowerShell, """
            status=$(curl -s -o /dev/null -w '%{http_code}' -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https://graph.microsoft.com")
            token=$(curl -s -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=api://3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
            api=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "${CustomApi__BaseUrl}api/orders")
            printf '%s\n' "$status" "$PWD" "$Graph__BaseUrl" "$Identity__Credential" "$AZURE_TOKEN_CREDENTIALS" "$*" "$api" \
              "${AZURE_AUTHORITY_HOST-unset}" "${SSL_CERT_FILE-unset}"
            """, "--", "--port", "7199", "--cors", "*");

        Assert.Equal(
            ["200", Path.Combine(Root, "FunctionApp"), $"http://127.0.0.1:{run.EmulatorPort}/v1.0", "DefaultAzureCredential",
             "ManagedIdentityCredential", "start --port 7199 --cors *", "200",
             // Managed identity needs neither Entra's authority nor the emulator's certificate: the developer's stays.
             "unset", developerCertificates],
            run.Lines);
        Assert.Contains($"run-local: sample protected API on http://127.0.0.1:{run.ApiPort} (log: .emulator/api.log)", run.Stdout, StringComparison.Ordinal);
        Assert.False(await IsListeningAsync(run.EmulatorPort), "the emulator must stop when func exits");
        Assert.False(await IsListeningAsync(run.ApiPort), "the sample API must stop when func exits");
    }
}
