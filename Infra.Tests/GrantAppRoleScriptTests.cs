using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using IdentityEmulator;
using IdentityEmulator.Faults;
using TestSupport;

namespace Infra.Tests;

/// <summary>
/// infra/scripts/Grant-AppRole.ps1 run by PowerShell 7 (the repo's local dotnet tool) against the emulator's Graph,
/// with a Graph token of the tenant's admin identity (Application.Read.All, AppRoleAssignment.ReadWrite.All).
/// </summary>
public sealed class GrantAppRoleScriptTests : IAsyncLifetime
{
    private const string AppIdentity = "func-test";
    private readonly TestTenant _tenant = new();
    private EmulatorApp _emulator = null!;
    private string _adminToken = "";

    public async Task InitializeAsync()
    {
        _emulator = await _tenant.StartAsync();
        _adminToken = await EmulatorHttp.TokenAsync(_emulator, "https://graph.microsoft.com", query: $"&client_id={_tenant.AdminClientId}");
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Theory]
    [InlineData("func-nobody", true, "Api.Read", 10, "Managed identity 'func-nobody' not found")]
    // "Test client" is an application's service principal in the test tenant, not a managed identity.
    [InlineData("Test client", true, "Api.Read", 10, "Managed identity 'Test client' not found")]
    [InlineData(AppIdentity, false, "Api.Read", 20, "The API's service principal was not found")]
    [InlineData(AppIdentity, true, "Api.Admin", 30, "(available: Api.Read, Api.Write)")]
    public async Task Assign_WhenTheIdentityApiOrRoleDoesNotExist_ExitsWithItsCodeSayingWhichAndAssignsNothing(
        string identity, bool apiExists, string role, int exitCode, string message)
    {
        var apiAppId = apiExists ? _tenant.ApiAppId : Guid.NewGuid();

        var run = await RunAsync("-IdentityName", identity, "-ApiAppId", apiAppId.ToString(), "-RoleName", role);

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_emulator.State.Tenant.Assignments, a => a.ResourceId == _tenant.ApiServicePrincipalId);
    }

    [Fact]
    public async Task Assign_GrantsTheRoleVisiblyAndARerunChangesNothing()
    {
        var first = await RunAsync("-IdentityName", AppIdentity, "-ApiAppId", _tenant.ApiAppId.ToString(), "-RoleName", "Api.Write");
        var second = await RunAsync("-IdentityName", AppIdentity, "-ApiAppId", _tenant.ApiAppId.ToString(), "-RoleName", "Api.Write");
        var assignments = await AssignmentsOfAppIdentityAsync();

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("Granted Api.Write", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("already holds Api.Write", second.Stdout, StringComparison.Ordinal);
        Assert.Equal([_tenant.ApiWriteRoleId.ToString()], assignments);
        // The grant is real: the identity's next token for the API carries the role.
        var token = await EmulatorHttp.TokenAsync(_emulator, _tenant.ApiAppIdUri);
        Assert.Contains("Api.Write", Jwt(token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assign_WhenTheCheckMissesAReplicatingAssignment_TakesGraphsAlreadyExistsAsDone()
    {
        // Entra replicates a new assignment for a while: the script's list misses it, Graph's duplicate check does not.
        await RestartEmulatorAsync(o => o with { ReplicationDelay = TimeSpan.FromHours(1) });

        var first = await RunAsync("-IdentityName", AppIdentity, "-ApiAppId", _tenant.ApiAppId.ToString(), "-RoleName", "Api.Write");
        var second = await RunAsync("-IdentityName", AppIdentity, "-ApiAppId", _tenant.ApiAppId.ToString(), "-RoleName", "Api.Write");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Empty(await AssignmentsOfAppIdentityAsync());
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("already holds Api.Write", second.Stdout, StringComparison.Ordinal);
        Assert.Single(_emulator.State.Tenant.Assignments, a => a.PrincipalId == _tenant.SystemObjectId);
    }

    [Fact]
    public async Task Assign_GraphPermissionByApiName_Works()
    {
        var run = await RunAsync("-IdentityName", AppIdentity, "-ApiName", "Microsoft Graph", "-RoleName", "User.Read.All");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(["df021288-bdef-4463-88db-98f22de89214"], await AssignmentsOfAppIdentityAsync());
    }

    [Fact]
    public async Task Assign_WithWhatIf_ChangesNothing()
    {
        var run = await RunAsync("-IdentityName", AppIdentity, "-ApiAppId", _tenant.ApiAppId.ToString(), "-RoleName", "Api.Read", "-WhatIf");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("What if", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(await AssignmentsOfAppIdentityAsync());
    }

    [Fact]
    public async Task List_ShowsWhatTheIdentityHolds()
    {
        await RunAsync("-IdentityName", AppIdentity, "-ApiAppId", _tenant.ApiAppId.ToString(), "-RoleName", "Api.Read");

        var run = await RunAsync("-IdentityName", AppIdentity, "-List");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Test API", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Api.Read", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assign_WithoutPermissionToAssign_Exits1WithGraphsMessage()
    {
        var weakToken = await EmulatorHttp.TokenAsync(_emulator, "https://graph.microsoft.com", query: $"&client_id={_tenant.UserAssignedClientId}");

        var run = await RunWithTokenAsync(weakToken, "-IdentityName", AppIdentity, "-ApiAppId", _tenant.ApiAppId.ToString(), "-RoleName", "Api.Read");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("403", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FollowsGraphsPagesToTheLastAssignment()
    {
        _tenant.AssignApiToSystem(_tenant.ApiReadRoleId).AssignApiToSystem(_tenant.ApiWriteRoleId);
        // One item per page: Graph may page any list, whatever $top asked.
        await RestartEmulatorAsync(o => o with { GraphPageSize = 1 });

        var run = await RunAsync("-IdentityName", AppIdentity, "-List");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Api.Read", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Api.Write", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assign_WhenGraphThrottles_WaitsAsToldAndSucceeds()
    {
        _emulator.AddFault(new FaultRule { Endpoint = "graph", Sequence = [new FaultStep { Status = 429, RetryAfterSeconds = 1 }, new FaultStep { Status = 503, RetryAfterSeconds = 0 }] });

        var run = await RunAsync("-IdentityName", AppIdentity, "-ApiAppId", _tenant.ApiAppId.ToString(), "-RoleName", "Api.Read");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal([_tenant.ApiReadRoleId.ToString()], await AssignmentsOfAppIdentityAsync());
    }

    private async Task RestartEmulatorAsync(Func<EmulatorOptions, EmulatorOptions> configure)
    {
        await _emulator.DisposeAsync();
        _emulator = await _tenant.StartAsync(configure);
        _adminToken = await EmulatorHttp.TokenAsync(_emulator, "https://graph.microsoft.com", query: $"&client_id={_tenant.AdminClientId}");
    }

    private Task<ProcessRun> RunAsync(params string[] args) => RunWithTokenAsync(_adminToken, args);

    private async Task<ProcessRun> RunWithTokenAsync(string token, params string[] args)
    {
        await PowerShell.EnsureRestoredAsync();
        var script = Path.Combine(Repository.Root, "infra", "scripts", "Grant-AppRole.ps1");
        var info = new ProcessStartInfo(
            "dotnet",
            ["tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-File", script,
             "-GraphBaseUrl", _emulator.GraphBaseUrl.ToString(), .. args])
        {
            WorkingDirectory = Repository.Root,
        };

        // The token travels in the environment, not on a command line other processes can read.
        info.Environment["GRAPH_ACCESS_TOKEN"] = token;
        return await ProcessRun.RunAsync(info);
    }

    private async Task<List<string>> AssignmentsOfAppIdentityAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{_emulator.GraphBaseUrl}/servicePrincipals/{_tenant.SystemObjectId}/appRoleAssignments"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
        using var response = await EmulatorHttp.Client.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. body.RootElement.GetProperty("value").EnumerateArray().Select(a => a.GetProperty("appRoleId").GetString()!)];
    }

    private static string Jwt(string token) =>
        System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));
}
