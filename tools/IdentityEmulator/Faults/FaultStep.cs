namespace IdentityEmulator.Faults;

/// <summary>One entry of a scripted sequence: the next matching request gets this answer.</summary>
public sealed record FaultStep
{
    public FaultKind Fault { get; init; } = FaultKind.Status;

    public int Status { get; init; } = 503;

    /// <summary>Sent as Retry-After (seconds); a 429 without it sends 1.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Extra delay before this one answer, on top of the rule's latency.</summary>
    public int DelayMs { get; init; }
}
