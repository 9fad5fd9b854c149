using System.Diagnostics;
using System.Net.Sockets;

namespace FunctionApp.Tests;

/// <summary>
/// scripts/run-local.sh, run as a user runs it. Core Tools cannot be installed here, so a stand-in 'func' on PATH
/// records what the real one would receive: the script's contract ends where func starts.
/// </summary>
[Collection(nameof(RepositoryRootFiles))]
public sealed class RunLocalScriptTests
{
    private static readonly string Root = FindRoot();

    [UnixFact]
    public async Task Run_WithoutCoreTools_SaysHowToInstallAndExitsNonZero()
    {
        var (exitCode, _, stderr) = await RunAsync("/usr/bin:/bin", new Dictionary<string, string>());

        Assert.Equal(3, exitCode);
        Assert.Contains("npm install --global azure-functions-core-tools@4", stderr, StringComparison.Ordinal);
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Run_WithCoreTools_StartsEmulatorAndApiPointsFuncAtThemAndStopsThemAfterwards()
    {
        var bin = Directory.CreateTempSubdirectory("fake-func-");
        var record = Path.Combine(bin.FullName, "record.txt");
        var settings = Path.Combine(Root, "local.settings.json");
        var hadSettings = File.Exists(settings);
        var port = FreePort();
        var apiPort = FreePort();
        await File.WriteAllTextAsync(Path.Combine(bin.FullName, "func"), """
            #!/usr/bin/env bash
            # Stand-in for Core Tools: prove the emulator answers with the environment func was given, then exit 7.
            status=$(curl -s -o /dev/null -w '%{http_code}' -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https://graph.microsoft.com")
            token=$(curl -s -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=api://3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
            api=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "${CustomApi__BaseUrl}api/orders")
            printf '%s\n%s\n%s\n%s\n%s\n%s\n' "$status" "$PWD" "$Graph__BaseUrl" "$AZURE_TOKEN_CREDENTIALS" "$*" "$api" > "$FAKE_FUNC_RECORD"
            exit 7
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.SetUnixFileMode(Path.Combine(bin.FullName, "func"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var path = $"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}";
            var (exitCode, stdout, stderr) = await RunAsync(path, new Dictionary<string, string>
            {
                ["FAKE_FUNC_RECORD"] = record,
                ["EMULATOR_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["API_PORT"] = apiPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["EMULATOR_HTTPS_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, "--no-azurite", "--", "--port", "7199");

            Assert.True(exitCode == 7, $"exit {exitCode}\n{stdout}\n{stderr}");
            var lines = await File.ReadAllLinesAsync(record);
            Assert.Equal("200", lines[0]);
            Assert.Equal(Path.Combine(Root, "FunctionApp"), lines[1]);
            Assert.Equal($"http://127.0.0.1:{port}/v1.0", lines[2]);
            Assert.Equal("ManagedIdentityCredential", lines[3]);
            Assert.Equal("start --port 7199", lines[4]);
            // The sample API accepted the emulator-issued token of the app's identity (Api.Read in the sample tenant).
            Assert.Equal("200", lines[5]);
            Assert.True(File.Exists(settings));
            Assert.False(await IsListeningAsync(port), "the emulator must stop when func exits");
            Assert.False(await IsListeningAsync(apiPort), "the sample API must stop when func exits");
        }
        finally
        {
            bin.Delete(recursive: true);
            if (!hadSettings)
            {
                File.Delete(settings);
            }
        }
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Run_AsServicePrincipal_GivesFuncTheLocalAppsSecretAndTheEmulatorsHttpsAuthority()
    {
        // The token request EnvironmentCredential makes with what func was given, trusting only SSL_CERT_FILE.
        var lines = await RunWithFakeFuncAsync("service-principal", """
            status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$SSL_CERT_FILE" -d grant_type=client_credentials -d "client_id=$AZURE_CLIENT_ID" \
              --data-urlencode "client_secret=$AZURE_CLIENT_SECRET" --data-urlencode scope=https://graph.microsoft.com/.default "${AZURE_AUTHORITY_HOST}${AZURE_TENANT_ID}/oauth2/v2.0/token")
            printf '%s\n%s\n%s\n%s\n' "$status" "$AZURE_TOKEN_CREDENTIALS" "${IDENTITY_ENDPOINT:-none}" "$Identity__DisableInstanceDiscovery"
            """);

        Assert.Equal(["200", "EnvironmentCredential", "none", "true"], lines);
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Run_AsAzureCli_PutsTheAzStandInFirstOnPathSignedInAsATenantUser()
    {
        var lines = await RunWithFakeFuncAsync("azure-cli", """
            token=$(az account get-access-token --output json --resource https://graph.microsoft.com | sed -n 's/.*"accessToken": *"\([^"]*\)".*/\1/p')
            printf '%s\n%s\n%s\n' "$(command -v az)" "$AZURE_TOKEN_CREDENTIALS" "${#token}"
            """);

        Assert.Equal(Path.Combine(Root, "tools", "IdentityEmulator", "azure-cli", "az"), lines[0]);
        Assert.Equal("AzureCliCredential", lines[1]);
        Assert.True(int.Parse(lines[2], System.Globalization.CultureInfo.InvariantCulture) > 100, "az printed no token");
    }

    // Runs the script with --as <identity> and a stand-in func that runs <body> and records its standard output.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static async Task<string[]> RunWithFakeFuncAsync(string identity, string body)
    {
        var bin = Directory.CreateTempSubdirectory("fake-func-");
        var record = Path.Combine(bin.FullName, "record.txt");
        var settings = Path.Combine(Root, "local.settings.json");
        var hadSettings = File.Exists(settings);
        await File.WriteAllTextAsync(Path.Combine(bin.FullName, "func"), $"#!/usr/bin/env bash\n{{\n{body}\n}} > \"$FAKE_FUNC_RECORD\"\nexit 7\n".Replace("\r\n", "\n", StringComparison.Ordinal));
        File.SetUnixFileMode(Path.Combine(bin.FullName, "func"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync($"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}", new Dictionary<string, string>
            {
                ["FAKE_FUNC_RECORD"] = record,
                ["EMULATOR_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["EMULATOR_HTTPS_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["API_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, "--no-azurite", "--as", identity);

            Assert.True(exitCode == 7, $"exit {exitCode}\n{stdout}\n{stderr}");
            return await File.ReadAllLinesAsync(record);
        }
        finally
        {
            bin.Delete(recursive: true);
            if (!hadSettings)
            {
                File.Delete(settings);
            }
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string path, Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        info.ArgumentList.Add(Path.Combine(Root, "scripts", "run-local.sh"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PATH"] = path;
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The script is bash: on Windows these tests are reported as skipped, not passed.</summary>
    private sealed class UnixFactAttribute : FactAttribute
    {
        public UnixFactAttribute()
        {
            if (OperatingSystem.IsWindows())
            {
                Skip = "scripts/run-local.sh needs bash";
            }
        }
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FunctionsManagedIdentity.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
