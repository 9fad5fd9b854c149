using System.Runtime.Versioning;
using static FunctionApp.Tests.RunLocalScript;

namespace FunctionApp.Tests;

/// <summary>
/// scripts/run-local.sh, the bash launcher of scripts/run-local.ps1, run as a user runs it, with a stand-in func
/// (<see cref="RunLocalScript"/>): its options reach the PowerShell script and what it starts reaches func.
/// </summary>
[Collection(nameof(RepositoryRootFiles))]
public sealed class RunLocalScriptTests
{
    [UnixFact]
    public async Task Run_WithoutCoreTools_SaysHowToInstallAndExitsNonZero()
    {
        var (exitCode, _, stderr) = await RunAsync(Launcher.Bash, "/usr/bin:/bin", new Dictionary<string, string>());

        Assert.Equal(3, exitCode);
        Assert.Contains("npm install --global azure-functions-core-tools@4", stderr, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task Run_WithoutDotnet_SaysToInstallTheSdkAndExits3()
    {
        // A PATH with dirname, which the launcher uses to find the repository, and neither dotnet nor func.
        var bin = Directory.CreateTempSubdirectory("no-dotnet-");
        File.CreateSymbolicLink(Path.Combine(bin.FullName, "dirname"), "/usr/bin/dirname");
        try
        {
            var (exitCode, _, stderr) = await RunAsync(Launcher.Bash, bin.FullName, new Dictionary<string, string>());

            Assert.Equal(3, exitCode);
            Assert.Contains("run-local: the .NET SDK ('dotnet') is not installed or not on PATH", stderr, StringComparison.Ordinal);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public async Task Run_WithCoreTools_StartsEmulatorAndApiPointsFuncAtThemAndStopsThemAfterwards()
    {
        // Stand-in for Core Tools: prove the emulator answers with the environment func was given.
        var run = await RunWithFakeFuncAsync(Launcher.Bash, """
            status=$(curl -s -o /dev/null -w '%{http_code}' -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https://graph.microsoft.com")
            token=$(curl -s -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=api://3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
            api=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "${CustomApi__BaseUrl}api/orders")
            printf '%s\n%s\n%s\n%s\n%s\n%s\n' "$status" "$PWD" "$Graph__BaseUrl" "$AZURE_TOKEN_CREDENTIALS" "$*" "$api"
            """, "--", "--port", "7199");

        var lines = run.Lines;
        Assert.Equal("200", lines[0]);
        Assert.Equal(Path.Combine(Root, "FunctionApp"), lines[1]);
        Assert.Equal($"http://127.0.0.1:{run.EmulatorPort}/v1.0", lines[2]);
        Assert.Equal("ManagedIdentityCredential", lines[3]);
        Assert.Equal("start --port 7199", lines[4]);
        // The sample API accepted the emulator-issued token of the app's identity (Api.Read in the sample tenant).
        Assert.Equal("200", lines[5]);
        Assert.False(await IsListeningAsync(run.EmulatorPort), "the emulator must stop when func exits");
        Assert.False(await IsListeningAsync(run.ApiPort), "the sample API must stop when func exits");
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public async Task Run_AsServicePrincipal_GivesFuncTheLocalAppsSecretAndTheEmulatorsHttpsAuthority()
    {
        // The token request EnvironmentCredential makes with what func was given, trusting only SSL_CERT_FILE.
        var run = await RunWithFakeFuncAsync(Launcher.Bash, """
            status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$SSL_CERT_FILE" -d grant_type=client_credentials -d "client_id=$AZURE_CLIENT_ID" \
              --data-urlencode "client_secret=$AZURE_CLIENT_SECRET" --data-urlencode scope=https://graph.microsoft.com/.default "${AZURE_AUTHORITY_HOST}${AZURE_TENANT_ID}/oauth2/v2.0/token")
            printf '%s\n%s\n%s\n%s\n' "$status" "$AZURE_TOKEN_CREDENTIALS" "${IDENTITY_ENDPOINT:-none}" "$Identity__DisableInstanceDiscovery"
            """, "--as", "service-principal");

        Assert.Equal(["200", "EnvironmentCredential", "none", "true"], run.Lines);
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public async Task Run_AsAzureCli_PutsTheAzStandInFirstOnPathSignedInAsATenantUser()
    {
        var run = await RunWithFakeFuncAsync(Launcher.Bash, """
            token=$(az account get-access-token --output json --resource https://graph.microsoft.com | sed -n 's/.*"accessToken": *"\([^"]*\)".*/\1/p')
            printf '%s\n%s\n%s\n' "$(command -v az)" "$AZURE_TOKEN_CREDENTIALS" "${#token}"
            """, "--as", "azure-cli");

        Assert.Equal(Path.Combine(Root, "tools", "IdentityEmulator", "azure-cli", "az"), run.Lines[0]);
        Assert.Equal("AzureCliCredential", run.Lines[1]);
        Assert.True(int.Parse(run.Lines[2], System.Globalization.CultureInfo.InvariantCulture) > 100, "az printed no token");
    }
}
