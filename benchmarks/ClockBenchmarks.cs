using BenchmarkDotNet.Attributes;

namespace Benchmarks;

/// <summary>
/// Why the token cache's warm path does not read the clock: the cost of each way of asking for the time, next to
/// reading a field. Compare with the warm token path in TokenCacheBenchmarks.
/// </summary>
public class ClockBenchmarks
{
    private readonly DateTimeOffset _stored = DateTimeOffset.UtcNow;

    [Benchmark(Baseline = true, Description = "read a stored DateTimeOffset")]
    public DateTimeOffset Field() => _stored;

    [Benchmark(Description = "DateTime.UtcNow")]
    public DateTime UtcNow() => DateTime.UtcNow;

    [Benchmark(Description = "TimeProvider.System.GetUtcNow()")]
    public DateTimeOffset TimeProviderNow() => TimeProvider.System.GetUtcNow();

    [Benchmark(Description = "Environment.TickCount64")]
    public long TickCount() => Environment.TickCount64;
}
