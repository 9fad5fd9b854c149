using System.Collections.Concurrent;
using System.Diagnostics;

namespace Benchmarks.Load;

/// <summary>What a run's invocations ended with: a status per function, latencies, and exceptions that escaped.</summary>
internal sealed class Outcomes
{
    private readonly ConcurrentDictionary<(string Function, string Outcome), int> _counts = new();
    private readonly ConcurrentDictionary<string, ConcurrentBag<long>> _latencies = new();

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

    public Task RecordAsync(string function, Func<Task<int>> invoke) =>
        RecordAsync(function, async () => (await invoke()).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Runs one invocation and records its outcome, or the type of an exception that escaped the function.</summary>
    private async Task RecordAsync(string function, Func<Task<string>> invoke)
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

        _latencies.GetOrAdd(function, _ => []).Add(Stopwatch.GetElapsedTime(started).Ticks);
        _counts.AddOrUpdate((function, outcome), 1, static (_, n) => n + 1);
    }

    public void Print(TextWriter output)
    {
        foreach (var group in _counts.GroupBy(kv => kv.Key.Function).OrderBy(g => g.Key))
        {
            var sorted = _latencies[group.Key].Order().ToArray();
            output.WriteLine(
                $"  {group.Key,-18} {group.Sum(kv => kv.Value),7} invocations  p50 {Percentile(sorted, 0.50),9}  p99 {Percentile(sorted, 0.99),9}  max {Percentile(sorted, 1),9}  " +
                string.Join(", ", group.OrderBy(kv => kv.Key.Outcome).Select(kv => $"{kv.Key.Outcome}: {kv.Value}")));
        }
    }

    private static string Percentile(long[] sortedTicks, double p)
    {
        var ms = TimeSpan.FromTicks(sortedTicks[Math.Clamp((int)Math.Ceiling(p * sortedTicks.Length) - 1, 0, sortedTicks.Length - 1)]).TotalMilliseconds;
        return $"{ms:0.00} ms";
    }
}
