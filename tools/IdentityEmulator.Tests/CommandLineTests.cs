using System.Diagnostics;
using TestSupport;

namespace IdentityEmulator.Tests;

/// <summary>The emulator as a user runs it: a separate process started from the built assembly.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Parse_PlatformTokenCache_IsOnUnlessTurnedOff()
    {
        Assert.True(CommandLine.Parse([]).Options.PlatformTokenCache);
        Assert.False(CommandLine.Parse(["--no-platform-token-cache"]).Options.PlatformTokenCache);
    }

    [Fact]
    public void Parse_ReplicationDelay_IsZeroUnlessGiven()
    {
        Assert.Equal(TimeSpan.Zero, CommandLine.Parse([]).Options.ReplicationDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), CommandLine.Parse(["--replication-delay", "30s"]).Options.ReplicationDelay);
    }

    [Fact]
    public async Task Run_WithFreePortAndFaultsFile_PrintsEnvironmentServesTokensAndLoadsFaults()
    {
        var envFile = Path.Combine(Path.GetTempPath(), $"emulator-{Guid.NewGuid()}.env");
        var faultsFile = Path.Combine(Path.GetTempPath(), $"faults-{Guid.NewGuid()}.json");
        await File.WriteAllTextAsync(faultsFile, """[ { "endpoint": "graph", "failureRate": 0.2 } ] // a comment is allowed""");
        using var process = Start("--port", "0", "--env-file", envFile, "--faults", faultsFile);
        try
        {
            var banner = await ReadUntilAsync(process, "Press Ctrl+C to stop.");
            var endpoint = banner.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("IDENTITY_ENDPOINT=http://127.0.0.1:", StringComparison.Ordinal));
            var header = banner.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("IDENTITY_HEADER=", StringComparison.Ordinal));
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint["IDENTITY_ENDPOINT=".Length..] + "?api-version=2019-08-01&resource=https://graph.microsoft.com");
            request.Headers.Add("X-IDENTITY-HEADER", header["IDENTITY_HEADER=".Length..]);

            using var response = await EmulatorHttp.Client.SendAsync(request);
            var faults = await EmulatorHttp.Client.GetStringAsync(new Uri(new Uri(endpoint["IDENTITY_ENDPOINT=".Length..]), "/_emulator/faults"));

            Assert.True(response.IsSuccessStatusCode);
            Assert.Contains("\"failureRate\":0.2", faults, StringComparison.Ordinal);
            Assert.Contains("AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:", banner, StringComparison.Ordinal);
            Assert.Contains("Microsoft Graph base URL:", banner, StringComparison.Ordinal);
            var environment = await File.ReadAllLinesAsync(envFile);
            Assert.Contains(endpoint, environment);
            // What a service principal's DefaultAzureCredential needs: the HTTPS authority and trust in its certificate.
            Assert.Contains(environment, l => l.StartsWith("AZURE_AUTHORITY_HOST=https://127.0.0.1:", StringComparison.Ordinal));
            var certificate = environment.Single(l => l.StartsWith("SSL_CERT_FILE=", StringComparison.Ordinal))["SSL_CERT_FILE=".Length..];
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(certificate), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            File.Delete(envFile);
            File.Delete(faultsFile);
        }
    }

    [Fact]
    public async Task HashSecret_PrintsTheTenantFilesHashOfTheSecretOnStandardInput()
    {
        var run = await RunAsync(["--hash-secret"], stdin: "local-dev-secret" + Environment.NewLine);

        Assert.Equal(0, run.ExitCode);
        // SHA-256 of the UTF-8 bytes, base64, after "sha256:".
        var hash = System.Security.Cryptography.SHA256.HashData("local-dev-secret"u8);
        Assert.Equal("sha256:" + Convert.ToBase64String(hash), run.Stdout.Trim());
    }

    [Theory]
    [InlineData(3, "not a loopback address", "--host", "0.0.0.0")]
    [InlineData(2, "--port 'abc' is not a port number", "--port", "abc")]
    [InlineData(2, "unknown argument '--tennant'", "--tennant", "x.json")]
    [InlineData(2, "--token-lifetime '1d' is not a duration", "--token-lifetime", "1d")]
    [InlineData(3, "cannot read the tenant file", "--tenant", "/nonexistent/tenant.json")]
    public async Task Run_WithBadArguments_ExitsWithCodeAndMessageWithoutStackTrace(int exitCode, string message, params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithInvalidTenantFile_ExitsNamingTheField()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tenant-{Guid.NewGuid()}.json");
        await File.WriteAllTextAsync(file, """{ "tenantId": "11111111-1111-1111-1111-111111111111", "users": [ { "id": "nope", "displayName": "U", "userPrincipalName": "u@x" } ] }""");
        try
        {
            var run = await RunAsync(["--tenant", file, "--port", "0"]);

            Assert.Equal(3, run.ExitCode);
            Assert.Contains("users[0].id 'nope' is not a GUID", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("PUBLIC KEY", "holds a public key")]
    [InlineData("RSA PUBLIC KEY", "holds a public key")]
    [InlineData("garbage", "not a PEM RSA private key")]
    public async Task Run_WithUnusableKeyFile_Exits3WithOneLineNamingTheFile(string content, string expected)
    {
        var file = Path.Combine(Path.GetTempPath(), $"key-{Guid.NewGuid()}.pem");
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            await File.WriteAllTextAsync(file, content switch
            {
                "PUBLIC KEY" => rsa.ExportSubjectPublicKeyInfoPem(),
                "RSA PUBLIC KEY" => rsa.ExportRSAPublicKeyPem(),
                _ => "not a key",
            });
        }

        try
        {
            var run = await RunAsync(["--key-file", file, "--port", "0"]);

            Assert.Equal(3, run.ExitCode);
            var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var line = Assert.Single(lines);
            Assert.Contains($"{file}: {expected}", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Process Start(params string[] args)
    {
        var info = EmulatorCommand(args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return Process.Start(info)!;
    }

    // Bounded, so a regression that lets the emulator start fails the test instead of hanging the run.
    private static Task<ProcessRun> RunAsync(string[] args, string? stdin = null) =>
        ProcessRun.RunAsync(EmulatorCommand(args), TimeSpan.FromSeconds(30), stdin);

    private static ProcessStartInfo EmulatorCommand(string[] args) =>
        new("dotnet", [typeof(EmulatorApp).Assembly.Location, .. args]);

    private static async Task<string> ReadUntilAsync(Process process, string marker)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var text = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            text.AppendLine(line);
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return text.ToString();
            }
        }

        throw new InvalidOperationException($"the emulator exited before printing '{marker}': {text}");
    }
}
