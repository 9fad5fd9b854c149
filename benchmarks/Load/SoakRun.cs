using System.Diagnostics;
using IdentityEmulator.Faults;

namespace Benchmarks.Load;

/// <summary>
/// dotnet run -c Release --project benchmarks -- --soak [--minutes 10]
/// Drives the HTTP functions (8-way) and the probe timer (every 2 s) for the given minutes while a new random fault
/// is armed every 5 s on the identity endpoint, Graph or the API. Tokens live 12 minutes: MSAL serves one until five
/// minutes before its expiry, so each resource's token is fetched again about every 7 minutes (a token shorter than five
/// minutes would be fetched on every call). Reports outcomes, identity requests, and the process's memory and handles.
/// </summary>
internal static class SoakRun
{
    private const int Workers = 8;

    private static readonly (string Name, Action<InProcessFunctions> Arm)[] Faults =
    [
        ("none", _ => { }),
        ("identity: two 503s", f => f.Emulator.AddFault(Burst("managedIdentity", 503))),
        ("identity: 429 Retry-After 1", f => f.Emulator.AddFault(Burst("managedIdentity", 429, retryAfter: 1, count: 1))),
        ("identity: 1.5 s latency", f => f.Emulator.AddFault(new FaultRule { Endpoint = "managedIdentity", LatencyMs = 1500 })),
        ("graph: 10% 503", f => f.Emulator.AddFault(new FaultRule { Endpoint = "graph", FailureRate = 0.1 })),
        ("graph: 429 Retry-After 1", f => f.Emulator.AddFault(Burst("graph", 429, retryAfter: 1, count: 3))),
        ("graph: malformed JSON", f => f.Emulator.AddFault(new FaultRule { Endpoint = "graph", Sequence = [new FaultStep { Fault = FaultKind.MalformedJson }] })),
        ("api: 20% 503", f => f.ApiFaults.Add(new FaultRule { Endpoint = FaultStage.Endpoint, FailureRate = 0.2 })),
        ("api: dropped connections", f => f.ApiFaults.Add([.. Enumerable.Repeat(new FaultStep { Fault = FaultKind.Drop }, 3)])),
        ("api: 6 s hang", f => f.ApiFaults.Add(new FaultRule { Endpoint = FaultStage.Endpoint, Sequence = [new FaultStep { Fault = FaultKind.Pass, DelayMs = 6000 }] })),
    ];

    public static async Task<int> RunAsync(TimeSpan duration, TextWriter output, CancellationToken interrupted)
    {
        await using var functions = await InProcessFunctions.StartAsync(TimeSpan.FromMinutes(12));
        output.WriteLine($"Soak: {duration.TotalMinutes:0} min, {Workers} HTTP workers, probe timer every 2 s, a random fault every 5 s, " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");

        // Warm up first, so the start figures include the JIT and the connection pools.
        var warmup = new Outcomes();
        await warmup.RecordAsync("warmup", () => functions.GraphUsersAsync(CancellationToken.None));
        await warmup.RecordAsync("warmup", () => functions.CustomResourceAsync(CancellationToken.None));
        var start = InProcessFunctions.Measure();
        output.WriteLine($"Start: {start}");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        stop.CancelAfter(duration);
        var outcomes = new Outcomes();
        var armed = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await (Random.Shared.Next(3) switch
                {
                    0 => outcomes.RecordAsync("GetGraphUsers", () => functions.GraphUsersAsync(CancellationToken.None)),
                    1 => outcomes.RecordAsync("GetCustomResource", () => functions.CustomResourceAsync(CancellationToken.None)),
                    _ => outcomes.RecordAsync("GetTokenClaims", () => functions.TokenClaimsAsync(CancellationToken.None)),
                });
            }
        }, CancellationToken.None));
        var timer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await outcomes.RecordAsync("ProbeTargets", () => functions.ProbeAsync(CancellationToken.None));
                await Delay(TimeSpan.FromSeconds(2), stop.Token);
            }
        }, CancellationToken.None);
        var chaos = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                functions.Emulator.ClearFaults();
                functions.ApiFaults.Clear();
                var (name, arm) = Faults[Random.Shared.Next(Faults.Length)];
                arm(functions);
                armed[name] = armed.GetValueOrDefault(name) + 1;
                await Delay(TimeSpan.FromSeconds(5), stop.Token);
            }
        }, CancellationToken.None);
        // One line a minute, so growth that levels off can be told from a leak.
        var monitor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Delay(TimeSpan.FromMinutes(1), stop.Token);
                output.WriteLine($"  {clock.Elapsed.TotalMinutes,4:0.0} min: {outcomes.Total} invocations; {InProcessFunctions.Measure()}");
            }
        }, CancellationToken.None);
        await Task.WhenAll([.. workers, timer, chaos, monitor]);
        clock.Stop();

        var end = InProcessFunctions.Measure();
        output.WriteLine($"End:   {end}");
        output.WriteLine($"{outcomes.Total} invocations in {clock.Elapsed.TotalMinutes:0.0} min, {LoadRun.Share(outcomes.Succeeded, outcomes.Total)} succeeded, {outcomes.Unmapped} unmapped exceptions");
        outcomes.Print(output);
        output.WriteLine("Faults armed: " + string.Join(", ", armed.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} x{kv.Value}")));
        output.WriteLine("Identity-endpoint requests per resource: " + string.Join(", ", functions.IdentityRequests().Select(kv => $"{kv.Key} = {kv.Value}")));
        output.WriteLine($"Log lines: {functions.Logs.Count}, with a token or the identity header: {functions.Logs.Leaks.Count}");

        var failed = outcomes.Unmapped > 0 || functions.Logs.Leaks.Count > 0;
        output.WriteLine(failed ? "FAILED: see above." : "OK");
        return failed ? 1 : 0;
    }

    private static FaultRule Burst(string endpoint, int status, int? retryAfter = null, int count = 2) =>
        new() { Endpoint = endpoint, Sequence = [.. Enumerable.Repeat(new FaultStep { Status = status, RetryAfterSeconds = retryAfter }, count)] };

    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }
}
