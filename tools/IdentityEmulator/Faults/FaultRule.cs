namespace IdentityEmulator.Faults;

/// <summary>
/// Faults for one endpoint: a latency on every request, a scripted sequence consumed one step per request, then
/// random failures at a rate. Endpoints: managedIdentity (App Service protocol), imds, graph, metadata.
/// </summary>
public sealed record FaultRule
{
    public required string Endpoint { get; init; }

    /// <summary>
    /// Limits the rule to token requests for this resource (identity endpoints) or paths that start with it (graph).
    /// </summary>
    public string? Resource { get; init; }

    public int LatencyMs { get; init; }

    public IReadOnlyList<FaultStep> Sequence { get; init; } = [];

    /// <summary>
    /// Share (0 to 1) of requests, after the sequence is used up, answered with <see cref="FailureStatus"/>.
    /// </summary>
    public double FailureRate { get; init; }

    public int FailureStatus { get; init; } = 503;
}
