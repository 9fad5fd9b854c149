using System.Diagnostics;
using FunctionApp.Functions;
using IdentityEmulator;
using IdentityEmulator.Faults;
using Microsoft.Azure.Functions.Worker;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace Benchmarks.Load;

/// <summary>
/// The Function app's real service provider (TestSupport's TestApp, the same AddFunctionAppServices call as Program.cs)
/// against the identity emulator and the sample API on loopback, logging at host.json's levels. The Functions host
/// itself does not run here.
/// </summary>
internal sealed class InProcessFunctions : IAsyncDisposable
{
    private readonly SampleApi _api;
    private readonly TestApp _app;

    private InProcessFunctions(SampleApi api, TestApp app)
    {
        _api = api;
        _app = app;
    }

    public EmulatorApp Emulator => _app.Emulator;

    public FaultStage ApiFaults => _api.Faults;

    public CapturedLogs Logs => _app.Logs;

    public static async Task<InProcessFunctions> StartAsync(TimeSpan tokenLifetime)
    {
        var tenant = new TestTenant().AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id);
        tenant.Assign(tenant.UserAssignedObjectId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
        var emulator = await tenant.StartAsync(options => options with { TokenLifetime = tokenLifetime });
        var api = await SampleApi.StartAsync(emulator, tenant);
        var app = await TestApp.StartAsync(tenant, emulator: emulator, api: api, countLogsOnly: true);
        return new InProcessFunctions(api, app);
    }

    public async Task<string> GraphUsersAsync(CancellationToken cancellationToken) =>
        (await _app.InvokeAsync(_app.Function<GetGraphUsers>().Run, "?top=3", cancellationToken)).Outcome;

    public async Task<string> CustomResourceAsync(CancellationToken cancellationToken) =>
        (await _app.InvokeAsync(_app.Function<GetCustomResource>().Run, "orders", "", cancellationToken)).Outcome;

    public async Task<string> TokenClaimsAsync(CancellationToken cancellationToken) =>
        (await _app.InvokeAsync(_app.Function<GetTokenClaims>().Run, "?target=protected-api", cancellationToken)).Outcome;

    public Task ProbeAsync(CancellationToken cancellationToken) => _app.Function<ProbeTargets>().Run(new TimerInfo(), cancellationToken);

    /// <summary>Identity-endpoint requests so far, per resource.</summary>
    public IReadOnlyDictionary<string, long> IdentityRequests() =>
        Emulator.RequestCounts().Where(c => c.Endpoint == "managedIdentity").ToDictionary(c => c.Resource, c => c.Count);

    public static ProcessFigures Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return new ProcessFigures(process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false), process.HandleCount, process.Threads.Count);
    }

    public async ValueTask DisposeAsync()
    {
        var emulator = _app.Emulator;
        await _app.DisposeAsync();
        await _api.DisposeAsync();
        await emulator.DisposeAsync();
    }
}

internal sealed record ProcessFigures(long WorkingSetBytes, long ManagedHeapBytes, int Handles, int Threads)
{
    public override string ToString() =>
        $"working set {WorkingSetBytes / 1024 / 1024} MiB, managed heap {ManagedHeapBytes / 1024 / 1024.0:0.0} MiB, handles {Handles}, threads {Threads}";
}
