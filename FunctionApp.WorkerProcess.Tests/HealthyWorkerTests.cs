using IdentityEmulator.Faults;
using System.Text.Json;
using FunctionsHostHarness.Rpc;
using TestSupport;
using Xunit.Abstractions;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace FunctionApp.WorkerProcess.Tests;

/// <summary>The worker with every role granted: what each function answers through Program.cs and the ASP.NET Core integration.</summary>
public sealed class HealthyWorkerTests(HealthyWorkerTests.Fixture fixture, ITestOutputHelper output)
    : IClassFixture<HealthyWorkerTests.Fixture>, IDisposable
{
    private FunctionAppWorker Worker => fixture.Worker;

    [Fact]
    public void Indexing_ReportsEachFunctionWithTheBindingsTheHostNeeds()
    {
        var functions = Worker.Host.Functions;

        Assert.Equal(["GetCustomResource", "GetGraphUsers", "GetTokenClaims", "ProbeTargets"], functions.Keys.Order());
        Assert.Equal(("graph/users", "Function"), Trigger(functions["GetGraphUsers"]));
        Assert.Equal(("custom/{resource}", "Function"), Trigger(functions["GetCustomResource"]));
        Assert.Equal(("token/claims", "Admin"), Trigger(functions["GetTokenClaims"]));
        var timer = JsonDocument.Parse(Assert.Single(functions["ProbeTargets"].RawBindings)).RootElement;
        Assert.Equal("%ProbeSchedule%", timer.GetProperty("schedule").GetString());
        Assert.False(timer.TryGetProperty("runOnStartup", out _));
        Assert.All(functions.Values, f => Assert.Equal("FunctionApp.dll", f.ScriptFile));
    }

    [Fact]
    public async Task GraphUsers_AnswersWithUsersFromGraph()
    {
        var answer = await Worker.GetAsync("api/graph/users?top=3&select=id,displayName");

        Assert.Equal("200", answer.Outcome);
        var users = answer.Json.GetProperty("users").EnumerateArray().ToList();
        Assert.Equal(3, users.Count);
        Assert.All(users, u => Assert.Equal(["id", "displayName"], u.EnumerateObject().Select(p => p.Name)));
    }

    // The host's Kestrel keeps its default limits (100 headers, 32 KB of them, the Host line included) and adds headers
    // before forwarding; a request it accepts must not meet a 431 from the worker's own Kestrel.
    [Theory]
    [InlineData(99, 16)]
    [InlineData(1, 32_700)]
    public async Task GraphUsers_WithHeadersAtTheHostsLimits_AreAnswered(int count, int valueLength)
    {
        var headers = Enumerable.Range(0, count).Select(i => KeyValuePair.Create($"x-client-{i:D2}", new string('v', valueLength)));

        var answer = await Worker.GetAsync("api/graph/users?top=1", headers);

        Assert.Equal(200, answer.Status);
    }

    [Theory]
    [InlineData("api/graph/users?top=0", "'top'")]
    [InlineData("api/graph/users?select=password", "'select'")]
    [InlineData("api/graph/users?filter=Alex", "Unknown query parameter 'filter'")]
    public async Task GraphUsers_WithBadInput_Answers400NamingTheParameter(string pathAndQuery, string parameter)
    {
        var answer = await Worker.GetAsync(pathAndQuery);

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Contains(parameter, answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphUsers_WhenGraphAsksForALongerWaitThanTheTimeout_Answers503WithItsRetryAfter()
    {
        var throttled = new FaultStep { Status = 429, RetryAfterSeconds = 60 };
        Worker.Emulator.AddFault(new FaultRule { Endpoint = "graph", Sequence = [throttled] });

        var answer = await Worker.GetAsync("api/graph/users?top=1");

        Assert.Equal("503 Microsoft Graph is throttling", answer.Outcome);
        Assert.Equal("60", answer.RetryAfter);
        Assert.EndsWith("try again in 60 s (Retry-After).", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomResource_OnTheAllowList_AnswersWithTheApisData()
    {
        var answer = await Worker.GetAsync("api/custom/orders");

        Assert.Equal("200", answer.Outcome);
        Assert.NotEmpty(answer.Json.EnumerateArray());
    }

    [Fact]
    public async Task CustomResource_OffTheAllowList_Answers404NamingTheAllowList()
    {
        var answer = await Worker.GetAsync("api/custom/secrets");

        Assert.Equal("404 Unknown resource", answer.Outcome);
        Assert.Equal("'resource' must be one of: orders, products.", answer.Detail);
    }

    [Fact]
    public async Task TokenClaims_ReportsTheRolesWithoutTheToken()
    {
        var answer = await Worker.GetAsync("api/token/claims?target=protected-api");

        Assert.Equal("200", answer.Outcome);
        Assert.Equal(["Api.Read"], answer.Json.GetProperty("claims").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(answer.Json.GetProperty("verdict").GetProperty("ok").GetBoolean());
        Assert.False(answer.HasToken);
    }

    [Fact]
    public async Task ProbeTimer_WithBothTargetsHealthy_LogsOneSuccessPerTarget()
    {
        var before = Worker.Host.Logs.Count;

        var invocation = await Worker.Host.InvokeTimerAsync("ProbeTargets");

        Assert.Equal(StatusResult.Types.Status.Success, invocation.Result.Status);
        var logs = Worker.Host.Logs.Skip(before).ToList();
        Assert.Equal(2, logs.Count(l => l.EventId == "Succeeded" && l.InvocationId == invocation.InvocationId));
        Assert.Contains(logs, l => l.EventId == "RunFinished" && l.Message.Contains("2 of 2", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.EventId == "PastDue");
    }

    [Fact]
    public async Task ProbeTimer_WhenPastDue_LogsIt()
    {
        var invocation = await Worker.Host.InvokeTimerAsync("ProbeTargets", isPastDue: true);

        Assert.Equal(StatusResult.Types.Status.Success, invocation.Result.Status);
        var pastDue = Assert.Single(Worker.Host.Logs, l => l.EventId == "PastDue" && l.InvocationId == invocation.InvocationId);
        Assert.Equal(RpcLog.Types.Level.Warning, pastDue.Level);
    }

    [Fact]
    public async Task Logs_AfterTokensForBothTargets_HoldNoTokenAndNoIdentityHeader()
    {
        await Worker.GetAsync("api/token/claims?target=graph");
        await Worker.GetAsync("api/custom/products");
        await Worker.Host.InvokeTimerAsync("ProbeTargets");

        Assert.Contains(Worker.Host.Logs, l => l.EventId == "CredentialSelected");
        Assert.Empty(Worker.Leaks());
    }

    [Fact]
    public async Task Logs_OfARequestWithSecretsInItsQuery_HoldNeitherSecret()
    {
        // Azure puts the function key in ?code=; a careless client puts a token in ?access_token=.
        var (key, token) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));

        var answer = await Worker.GetAsync($"api/graph/users?top=1&code={key}&access_token={token}");

        Assert.Equal(400, answer.Status);
        Assert.Contains("access_token", answer.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(key, Worker.Host.Transcript, StringComparison.Ordinal);
        Assert.DoesNotContain(token, Worker.Host.Transcript, StringComparison.Ordinal);
    }

    public void Dispose() => output.WriteLine(Worker.Host.Transcript);

    private static (string Route, string AuthLevel) Trigger(RpcFunctionMetadata function)
    {
        var trigger = function.RawBindings.Select(b => JsonDocument.Parse(b).RootElement).Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        return (trigger.GetProperty("route").GetString()!, trigger.GetProperty("authLevel").GetString()!);
    }

    public sealed class Fixture : WorkerFixture
    {
        protected override TestTenant CreateTenant()
        {
            var tenant = new TestTenant().AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id);
            return tenant.Assign(tenant.UserAssignedObjectId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
        }
    }
}
