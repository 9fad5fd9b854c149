using IdentityEmulator.Faults;

namespace Benchmarks.Load;

/// <summary>
/// dotnet run -c Release --project benchmarks -- --load [--invocations 10000] [--concurrency 64]
/// Invokes GetGraphUsers and GetCustomResource alternately against the emulator and the sample API, first with no
/// faults, then with the API failing 20% of requests with 503. Exit code 1 when an invocation escaped as an unmapped
/// exception, a log line carried a token, or a resource took more than one identity-endpoint request.
/// </summary>
internal static class LoadRun
{
    public static async Task<int> RunAsync(int invocations, int concurrency, TextWriter output, CancellationToken interrupted)
    {
        await using var functions = await InProcessFunctions.StartAsync(TimeSpan.FromHours(24));
        output.WriteLine($"Load: {invocations} invocations per phase, {concurrency}-way, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        var healthy = await PhaseAsync(functions, invocations, concurrency, interrupted);
        output.WriteLine($"Phase 1, no faults: {healthy.Total} invocations, {Share(healthy.Succeeded, healthy.Total)} succeeded, {healthy.Unmapped} unmapped exceptions");
        healthy.Print(output);

        functions.ApiFaults.Add(new FaultRule { Endpoint = FaultStage.Endpoint, FailureRate = 0.2, FailureStatus = 503 });
        var apiRequestsBefore = functions.ApiFaults.Requests();
        var faulted = await PhaseAsync(functions, invocations, concurrency, interrupted);
        output.WriteLine($"Phase 2, the API fails 20% of requests with 503: {faulted.Total} invocations, {Share(faulted.Succeeded, faulted.Total)} succeeded, " +
            $"{faulted.Unmapped} unmapped exceptions, {functions.ApiFaults.Requests() - apiRequestsBefore} API requests for {invocations / 2} custom-API invocations");
        faulted.Print(output);

        var identity = functions.IdentityRequests();
        output.WriteLine("Identity-endpoint requests per resource over both phases: " + string.Join(", ", identity.Select(kv => $"{kv.Key} = {kv.Value}")));
        output.WriteLine($"Log lines: {functions.Logs.Count}, with a token or the identity header: {functions.Logs.Leaks.Count}");

        var failed = healthy.Unmapped + faulted.Unmapped > 0 || functions.Logs.Leaks.Count > 0 || identity.Count != 2 || identity.Values.Any(n => n != 1);
        output.WriteLine(failed ? "FAILED: see above." : "OK");
        return failed ? 1 : 0;
    }

    private static async Task<Outcomes> PhaseAsync(InProcessFunctions functions, int invocations, int concurrency, CancellationToken interrupted)
    {
        var outcomes = new Outcomes();
        await Parallel.ForAsync(0, invocations, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = interrupted }, async (i, cancellationToken) =>
        {
            if (i % 2 == 0)
            {
                await outcomes.RecordAsync("GetGraphUsers", () => functions.GraphUsersAsync(cancellationToken));
            }
            else
            {
                await outcomes.RecordAsync("GetCustomResource", () => functions.CustomResourceAsync(cancellationToken));
            }
        });
        return outcomes;
    }

    internal static string Share(int part, int total) => $"{100.0 * part / Math.Max(total, 1):0.000}%";
}
