using System.Diagnostics;
using System.Globalization;
using Benchmarks.Load;

namespace Benchmarks.Paired;

/// <summary>
/// The targets' ratios measured in one process by interleaving: each round times a block of baseline calls, two blocks
/// of the candidate and another baseline block (ABBA), so drift in the machine's speed, which moves BenchmarkDotNet's
/// separately launched means by 10-20% on a shared 2-core box, falls on both sides of a round alike. The median of the
/// rounds' ratios is reported with its interquartile range; nothing here asserts a time.
/// </summary>
internal static class PairedRun
{
    private static readonly TimeSpan BlockTarget = TimeSpan.FromMilliseconds(40);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        int rounds;
        try
        {
            rounds = LoadCommand.Option(args, "--rounds", 40, 1, 10_000);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message);
            return 2;
        }

        using var outgoing = new OutgoingCallBenchmarks();
        outgoing.Setup();
        using var validation = new TokenValidationBenchmarks();
        validation.Setup();
        using var layers = new PipelineLayers(outgoing.Address);

        Pair[] pairs =
        [
            new("bearer handler + resilience pipeline vs fixed-header HttpClient, loopback (time)", outgoing.FixedHeader, outgoing.Pipeline, "at most 1.05x", Rate: false),
            new("bearer handler + resilience pipeline vs fixed-header HttpClient, in memory (time)", outgoing.InMemoryFixedHeader, outgoing.InMemoryPipeline, "(the pipeline's own cost)", Rate: false),
            new("sample API's validation vs raw RS256 check (rate)", () => Sync(validation.RawSignature), validation.ApiValidation, "at least 0.85x", Rate: true),
            new("default JsonWebTokenHandler vs raw RS256 check (rate)", () => Sync(validation.RawSignature), validation.DefaultHandlerValidation, "(reference)", Rate: true),
            new("sample API's whole HTTP request vs raw RS256 check (rate)", () => Sync(validation.RawSignature), validation.ApiHttpPath, "at least 0.5x", Rate: true),
            // The first pair taken apart, each step one layer more than the one before (PipelineLayers).
            new("layers: a second fixed-header HttpClient (time)", outgoing.FixedHeader, () => Get(layers.SameAsBaseline), "(the pairing's reading of no difference)", Rate: false),
            new("layers: bearer handler (time)", outgoing.FixedHeader, () => Get(layers.BearerOnly), "(decomposition)", Rate: false),
            new("layers: bearer + pipeline handler, empty pipeline (time)", outgoing.FixedHeader, () => Get(layers.EmptyPipeline), "(decomposition)", Rate: false),
            new("layers: bearer + pipeline handler, retry (time)", outgoing.FixedHeader, () => Get(layers.Retry), "(decomposition)", Rate: false),
            new("layers: bearer + pipeline handler, retry + attempt timeout (time)", outgoing.FixedHeader, () => Get(layers.RetryTimeout), "(decomposition)", Rate: false),
            new("layers: bearer + pipeline handler, retry + breaker (time)", outgoing.FixedHeader, () => Get(layers.RetryBreaker), "(decomposition)", Rate: false),
        ];

        await output.WriteLineAsync($"paired run: {rounds} ABBA rounds per pair, blocks of ~{BlockTarget.TotalMilliseconds} ms, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        // Every path once before any is measured: the loopback pair, measured first, read 1.39x with both sides ~55 us,
        // and 1.15x with both sides ~36 us when measured again at the end of the same process. Until the JIT has
        // optimized Kestrel's and HttpClient's hot methods, a path's time says more about tiering than about the path.
        foreach (var pair in pairs)
        {
            await WarmAsync(pair, await CallsPerBlockAsync(pair));
        }

        foreach (var pair in pairs)
        {
            var (median, low, high, perCallBaseline, perCallCandidate) = await MeasureAsync(pair, rounds);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{pair.Name}: {median:F3}x (IQR {low:F3}-{high:F3}; {perCallBaseline:F2} us vs {perCallCandidate:F2} us per call); target {pair.Target}"));
        }

        return 0;
    }

    private static async Task<(double Median, double Low, double High, double BaselineUs, double CandidateUs)> MeasureAsync(Pair pair, int rounds)
    {
        var calls = await CallsPerBlockAsync(pair);
        await WarmAsync(pair, calls);

        var ratios = new double[rounds];
        double baselineTotal = 0, candidateTotal = 0;
        for (var round = 0; round < rounds; round++)
        {
            var a = (await TimeAsync(pair.Baseline, calls)).TotalMicroseconds;
            var b = (await TimeAsync(pair.Candidate, calls)).TotalMicroseconds;
            b += (await TimeAsync(pair.Candidate, calls)).TotalMicroseconds;
            a += (await TimeAsync(pair.Baseline, calls)).TotalMicroseconds;
            // Time ratios: candidate over baseline. Rate ratios: the inverse, as the targets are stated.
            ratios[round] = pair.Rate ? a / b : b / a;
            baselineTotal += a;
            candidateTotal += b;
        }

        Array.Sort(ratios);
        var perCall = 2.0 * rounds * calls;
        return (Quantile(ratios, 0.5), Quantile(ratios, 0.25), Quantile(ratios, 0.75), baselineTotal / perCall, candidateTotal / perCall);
    }

    private static async Task<int> CallsPerBlockAsync(Pair pair)
    {
        var probe = await TimeAsync(pair.Baseline, 200);
        return (int)Math.Clamp(BlockTarget.Ticks / Math.Max(1, probe.Ticks / 200), 10, 1_000_000);
    }

    // Two seconds of unrecorded blocks of both sides: the JIT promotes hot methods to optimized code in the background.
    private static async Task WarmAsync(Pair pair, int calls)
    {
        var warming = Stopwatch.StartNew();
        while (warming.Elapsed < TimeSpan.FromSeconds(2))
        {
            await TimeAsync(pair.Baseline, calls);
            await TimeAsync(pair.Candidate, calls);
        }
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> call, int calls)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            await call();
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    private static Task<string> Get(HttpClient client) => client.GetStringAsync("api/orders");

    private static Task Sync(Func<bool> call) => call() ? Task.CompletedTask : throw new InvalidOperationException("the baseline check failed");

    private sealed record Pair(string Name, Func<Task> Baseline, Func<Task> Candidate, string Target, bool Rate);
}
