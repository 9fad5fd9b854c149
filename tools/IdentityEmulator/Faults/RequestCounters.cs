using System.Collections.Concurrent;

namespace IdentityEmulator.Faults;

/// <summary>Counts every request an endpoint receives, including the ones a fault answered.</summary>
internal sealed class RequestCounters
{
    private readonly ConcurrentDictionary<(string Endpoint, string Resource), long> _counts = new();

    public void Increment(string endpoint, string? resource) =>
        _counts.AddOrUpdate((endpoint, resource ?? ""), 1, static (_, n) => n + 1);

    public long Get(string endpoint, string? resource = null) =>
        resource is null
            ? _counts.Where(kv => kv.Key.Endpoint == endpoint).Sum(kv => kv.Value)
            : _counts.GetValueOrDefault((endpoint, resource));

    public IReadOnlyList<RequestCount> Snapshot() =>
        [
            .. _counts
                .Select(kv => new RequestCount(kv.Key.Endpoint, kv.Key.Resource, kv.Value))
                .OrderBy(c => c.Endpoint)
                .ThenBy(c => c.Resource),
        ];

    public void Reset() => _counts.Clear();
}
