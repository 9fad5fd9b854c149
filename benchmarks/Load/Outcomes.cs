using System.Collections.Concurrent;
using System.Diagnostics;

namespace Benchmarks.Load;

/// <summary>
/// What a run's invocations ended with: a status (and a problem's title) per function, latencies, and exceptions that
/// escaped.
/// </summary>
internal sealed class Outcomes
{
    private readonly ConcurrentDictionary<(string Function, string Outcome), int> _counts = new();
    private readonly ConcurrentDictionary<string, LatencyHistogram> _latencies = new();

    public int Total => _counts.Values.Sum();

    public int Unmapped => _counts.Where(kv => kv.Key.Outcome.StartsWith("unmapped", StringComparison.Ordinal)).Sum(kv => kv.Value);

    public int Succeeded => _counts.Where(kv => kv.Key.Outcome is "200" or Completed).Sum(kv => kv.Value);

    private const string Completed = "completed";

    /// <summary>Runs one timer invocation, which has no status: it completes or it throws.</summary>
    public Task RecordAsync(string function, Func<Task> invoke) => RecordAsync(function, async () =>
    {
        await invoke();
        return Completed;
    });

    /// <summary>Runs one invocation and records its outcome, or the type of an exception that escaped the function.</summary>
    public async Task RecordAsync(string function, Func<Task<string>> invoke)
    {
        var started = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            outcome = await invoke();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = "unmapped " + e.GetType().Name;
        }

        _latencies.GetOrAdd(function, _ => new LatencyHistogram()).Record(Stopwatch.GetElapsedTime(started));
        _counts.AddOrUpdate((function, outcome), 1, static (_, n) => n + 1);
    }

    public void Print(TextWriter output)
    {
        foreach (var group in _counts.GroupBy(kv => kv.Key.Function).OrderBy(g => g.Key))
        {
            var latency = _latencies[group.Key];
            output.WriteLine(
                $"  {group.Key,-18} {group.Sum(kv => kv.Value),7} invocations  p50 {latency.Percentile(0.50),9}  p99 {latency.Percentile(0.99),9}  max {latency.Percentile(1),9}  " +
                string.Join(", ", group.OrderBy(kv => kv.Key.Outcome).Select(kv => $"{kv.Key.Outcome}: {kv.Value}")));
        }
    }
}

/// <summary>
/// Latencies in fixed buckets, so a long soak's own bookkeeping does not grow the heap it reports: 10 us steps to
/// 1 ms, 100 us steps to 100 ms, 10 ms steps to 60 s (a percentile is the upper edge of its bucket).
/// </summary>
internal sealed class LatencyHistogram
{
    private readonly long[] _buckets = new long[100 + 990 + 5990 + 1];

    public void Record(TimeSpan latency)
    {
        var us = (long)latency.TotalMicroseconds;
        var index = us < 1_000 ? us / 10
            : us < 100_000 ? 100 + ((us - 1_000) / 100)
            : us < 60_000_000 ? 1_090 + ((us - 100_000) / 10_000)
            : _buckets.Length - 1;
        Interlocked.Increment(ref _buckets[index]);
    }

    public string Percentile(double p)
    {
        var total = _buckets.Sum();
        var rank = Math.Max(1, (long)Math.Ceiling(p * total));
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                var upperUs = i < 100 ? (i + 1) * 10 : i < 1_090 ? 1_000 + ((i - 99) * 100) : 100_000 + ((i - 1_089) * 10_000L);
                return i == _buckets.Length - 1 ? ">60 s" : $"{upperUs / 1000.0:0.00} ms";
            }
        }

        return "n/a";
    }
}
