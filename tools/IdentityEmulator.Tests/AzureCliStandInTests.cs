using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TestSupport;

namespace IdentityEmulator.Tests;

/// <summary>
/// tools/IdentityEmulator/azure-cli/az run as AzureCliCredential runs it (sh, `az account get-access-token --output json
/// --resource ... --tenant ...`): a tenant user's delegated token in the CLI's JSON, or the CLI's error on stderr and exit 1.
/// </summary>
public sealed class AzureCliStandInTests
{
    private static readonly string StandIn = Path.Combine(Repository.Root, "tools", "IdentityEmulator", "azure-cli", "az");

    [Fact]
    public async Task GraphToken_IsTheUsersDelegatedTokenInTheClisJson()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();

        var run = await RunAsync(emulator, "user002@contoso.example", "--resource", "https://graph.microsoft.com", "--tenant", tenant.TenantId.ToString());

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        var jwt = Jwt.Read(root.GetProperty("accessToken").GetString()!);
        Assert.Contains("User.Read.All", jwt.GetClaim("scp").Value, StringComparison.Ordinal);
        Assert.Equal(("user002@contoso.example", "0"), (jwt.GetClaim("upn").Value, jwt.GetClaim("appidacr").Value));
        Assert.False(jwt.TryGetClaim("roles", out _));
        Assert.False(jwt.TryGetClaim("idtyp", out _));
        // expiresOn in local time as the CLI prints it, expires_on in Unix seconds: the same instant.
        var expiresOn = DateTime.ParseExact(root.GetProperty("expiresOn").GetString()!, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal);
        Assert.Equal(root.GetProperty("expires_on").GetInt64(), new DateTimeOffset(expiresOn).ToUnixTimeSeconds());
        Assert.Equal(tenant.TenantId.ToString(), root.GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task CustomApi_GivesATokenOnlyWhenTheApiPreAuthorizesTheCli()
    {
        var refusing = new TestTenant();
        var allowing = new TestTenant { PreAuthorizeAzureCli = true };
        await using var refusingEmulator = await refusing.StartAsync();
        await using var allowingEmulator = await allowing.StartAsync();

        var refused = await RunAsync(refusingEmulator, "user001@contoso.example", "--resource", refusing.ApiAppIdUri);
        var granted = await RunAsync(allowingEmulator, "user001@contoso.example", "--resource", allowing.ApiAppIdUri);

        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("ERROR: AADSTS65001:", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"az login --scope {refusing.ApiAppIdUri}/.default", refused.Stderr, StringComparison.Ordinal);
        Assert.True(granted.ExitCode == 0, granted.Stderr);
        using var json = JsonDocument.Parse(granted.Stdout);
        var jwt = Jwt.Read(json.RootElement.GetProperty("accessToken").GetString()!);
        Assert.Equal(("user_impersonation", allowing.ApiAppId.ToString()), (jwt.GetClaim("scp").Value, jwt.GetClaim("aud").Value));
    }

    [Theory]
    [InlineData(null, "ERROR: Please run 'az login' to setup account.")]
    [InlineData("nobody@contoso.example", "ERROR: AADSTS50034:")]
    public async Task WithoutAUserOfTheTenant_PrintsTheClisErrorAndExits1(string? user, string error)
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();

        var run = await RunAsync(emulator, user, "--resource", "https://graph.microsoft.com");

        Assert.Equal((1, ""), (run.ExitCode, run.Stdout));
        Assert.StartsWith(error, run.Stderr, StringComparison.Ordinal);
    }

    private static Task<ProcessRun> RunAsync(EmulatorApp emulator, string? user, params string[] args)
    {
        string[] command = [StandIn, "account", "get-access-token", "--output", "json", .. args];
        var info = new ProcessStartInfo("/bin/sh", command);
        info.Environment["IDENTITY_EMULATOR_URL"] = emulator.BaseAddress.ToString();
        info.Environment.Remove("AZ_EMULATOR_USER");
        if (user is not null)
        {
            info.Environment["AZ_EMULATOR_USER"] = user;
        }

        return ProcessRun.RunAsync(info);
    }
}
