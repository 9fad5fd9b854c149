using FunctionsHostHarness.Rpc;
using TestSupport;
using Xunit.Abstractions;

namespace FunctionApp.WorkerProcess.Tests;

/// <summary>The worker whose identity holds the custom API's role but not Graph's: the failure a new deployment meets first.</summary>
public sealed class MissingGraphRoleTests(MissingGraphRoleTests.Fixture fixture, ITestOutputHelper output)
    : IClassFixture<MissingGraphRoleTests.Fixture>, IDisposable
{
    private FunctionAppWorker Worker => fixture.Worker;

    [Fact]
    public async Task GraphUsers_WithoutTheRole_Answers502NamingTheRole()
    {
        var answer = await Worker.GetAsync("api/graph/users");

        Assert.Equal("502 Microsoft Graph refused the request", answer.Outcome);
        Assert.Contains("lacks the application permission User.Read.All", answer.Detail, StringComparison.Ordinal);
        Assert.Contains(Worker.Host.Logs, l => l.EventId == "CallFailed" && l.Level == RpcLog.Types.Level.Warning);
    }

    [Fact]
    public async Task ProbeTimer_WithGraphFailing_LogsOneFailureOneSuccessAndCompletes()
    {
        var invocation = await Worker.Host.InvokeTimerAsync("ProbeTargets");

        Assert.Equal(StatusResult.Types.Status.Success, invocation.Result.Status);
        var logs = Worker.Host.Logs.Where(l => l.InvocationId == invocation.InvocationId).ToList();
        var failed = Assert.Single(logs, l => l.EventId == "Failed");
        Assert.Equal(RpcLog.Types.Level.Error, failed.Level);
        Assert.StartsWith("Probe graph failed: Microsoft Graph refused the request", failed.Message, StringComparison.Ordinal);
        Assert.StartsWith("Probe protected-api succeeded", Assert.Single(logs, l => l.EventId == "Succeeded").Message, StringComparison.Ordinal);
        Assert.Contains(logs, l => l.EventId == "RunFinished" && l.Message.Contains("1 of 2", StringComparison.Ordinal));
    }

    public void Dispose() => output.WriteLine(Worker.Host.Transcript);

    public sealed class Fixture : WorkerFixture
    {
        protected override TestTenant CreateTenant()
        {
            var tenant = new TestTenant();
            return tenant.Assign(tenant.UserAssignedObjectId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
        }
    }
}

/// <summary>The worker with nothing listening at IDENTITY_ENDPOINT: every call that needs a token fails, and says why.</summary>
public sealed class IdentityEndpointDownTests(IdentityEndpointDownTests.Fixture fixture, ITestOutputHelper output)
    : IClassFixture<IdentityEndpointDownTests.Fixture>, IDisposable
{
    private FunctionAppWorker Worker => fixture.Worker;

    [Fact]
    public async Task Calls_Answer503NamingTheCredential()
    {
        // Concurrently: Azure.Identity retries a refused connection with back-off before it gives up.
        var answers = await Task.WhenAll(Worker.GetAsync("api/graph/users"), Worker.GetAsync("api/custom/orders"));

        Assert.All(answers, answer =>
        {
            Assert.Equal(503, answer.Status);
            Assert.Contains("ManagedIdentityCredential (user-assigned", answer.Detail, StringComparison.Ordinal);
            Assert.False(answer.HasToken);
        });
    }

    public void Dispose() => output.WriteLine(Worker.Host.Transcript);

    public sealed class Fixture : WorkerFixture
    {
        protected override TestTenant CreateTenant() => new();

        // Nothing listens on port 1.
        protected override void Configure(Dictionary<string, string> settings) =>
            settings["IDENTITY_ENDPOINT"] = "http://127.0.0.1:1/msi/token";
    }
}
