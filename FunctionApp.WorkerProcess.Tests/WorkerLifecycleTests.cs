using System.Diagnostics;
using FunctionsHostHarness;
using FunctionsHostHarness.Rpc;
using IdentityEmulator.Faults;
using TestSupport;
using Xunit.Abstractions;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace FunctionApp.WorkerProcess.Tests;

/// <summary>Start-up and shutdown of the worker process: each test launches its own.</summary>
public sealed class WorkerLifecycleTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Graph__TimeoutSeconds", "soon")]
    [InlineData("Identity__Credential", "Magic")]
    [InlineData("CustomApi__TotalTimeoutSeconds", "1")]
    public async Task Start_WithAMalformedSetting_FailsNamingTheSetting(string setting, string value)
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        await using var api = await SampleApi.StartAsync(emulator, tenant);
        var settings = WorkerSettings.For(tenant, emulator, api);
        settings[setting] = value;

        var failure = await Assert.ThrowsAsync<WorkerProcessException>(() => FunctionsHost.StartAsync(FunctionAppWorker.AppDirectory, settings));

        output.WriteLine(failure.Message);
        Assert.StartsWith("The worker exited with code", failure.Message, StringComparison.Ordinal);
        // The app's own validation names the app setting; the configuration binder names its configuration key.
        Assert.True(
            failure.Message.Contains(setting, StringComparison.Ordinal) || failure.Message.Contains(setting.Replace("__", ":", StringComparison.Ordinal), StringComparison.Ordinal),
            $"No '{setting}' in: {failure.Message}");
    }

    [Fact]
    public async Task Restart_AfterARoleIsGranted_GetsTheSameTokenWithoutIt()
    {
        var tenant = new TestTenant();
        await using var worker = await FunctionAppWorker.StartAsync(tenant);
        var before = (await worker.GetAsync("api/token/claims?target=protected-api")).Json;

        worker.Emulator.State.Tenant.AddAssignment(tenant.UserAssignedObjectId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
        await worker.RestartAsync();
        var after = (await worker.GetAsync("api/token/claims?target=protected-api")).Json;

        // The new process asked the identity endpoint again, and the platform's cache answered with the token it had.
        Assert.Equal(2, worker.Emulator.RequestCount("managedIdentity", tenant.ApiAppIdUri));
        Assert.Equal(before.GetProperty("claims").GetProperty("iat").ToString(), after.GetProperty("claims").GetProperty("iat").ToString());
        Assert.False(after.GetProperty("verdict").GetProperty("hasRequiredRole").GetBoolean());
        Assert.Contains("restarting the app does not renew them", after.GetProperty("verdict").GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(worker.Leaks());
    }

    [Fact]
    public async Task Terminate_WithInvocationsInFlight_EndsThemAndExitsZero()
    {
        var tenant = new TestTenant().AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id);
        await using var worker = await FunctionAppWorker.StartAsync(tenant);
        worker.Emulator.AddFault(new FaultRule { Endpoint = "graph", LatencyMs = 2000 });
        var call = worker.GetAsync("api/graph/users");
        var probe = worker.Host.InvokeTimerAsync("ProbeTargets");
        // Both are in flight once Graph has received the two requests (the call's and the probe's).
        var clock = Stopwatch.StartNew();
        while (worker.Emulator.RequestCount("graph") < 2 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        Assert.False(call.IsCompleted || probe.IsCompleted, "Both should still be waiting for Graph.");
        var exitCode = await worker.Host.StopAsync(TimeSpan.FromSeconds(10));

        output.WriteLine(worker.Host.Transcript);
        Assert.Equal(0, exitCode);
        // The worker stops its application on WorkerTerminate, and Kestrel drains the HTTP request: its answer is
        // the function's, whether or not the invocation's reply got out before the worker closed its event stream.
        Assert.Equal("200", (await call).Outcome);
        // The timer's invocation ends too: with its status, or, when the worker closed the stream first (a race in
        // the worker SDK's shutdown, seen once in five runs of the suite), having logged its run's end before that.
        var timerStatus = await StatusOrNullAsync(probe);
        if (timerStatus is { } status)
        {
            Assert.Contains(status, new[] { StatusResult.Types.Status.Success, StatusResult.Types.Status.Cancelled });
        }
        else
        {
            Assert.Contains(worker.Host.Logs, l => l.EventId == "RunFinished");
        }

        Assert.Empty(worker.Leaks());
    }

    private static async Task<StatusResult.Types.Status?> StatusOrNullAsync(Task<InvocationResponse> invocation)
    {
        try
        {
            return (await invocation).Result.Status;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }
}
