using System.Text.Json.Serialization;

namespace IdentityEmulator.Faults;

/// <summary>What one scripted response does instead of (or before) the normal answer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>Answer normally; useful in a sequence such as 503, pass, 503.</summary>
    [JsonStringEnumMemberName("pass")]
    Pass,

    /// <summary>Answer with <see cref="FaultStep.Status"/> in the endpoint's own error shape.</summary>
    [JsonStringEnumMemberName("status")]
    Status,

    /// <summary>Start a 200 response, send part of the body, then reset the connection.</summary>
    [JsonStringEnumMemberName("drop")]
    Drop,

    /// <summary>Answer 200 with a body that is not valid JSON.</summary>
    [JsonStringEnumMemberName("malformedJson")]
    MalformedJson,

    /// <summary>
    /// Answer 200 with a body of more than 2 MB that is not JSON (whitespace, then a stray character): what a client
    /// that buffers without a limit would hold in memory in full before failing.
    /// </summary>
    [JsonStringEnumMemberName("oversizedBody")]
    OversizedBody,

    /// <summary>Answer 200 with a token response that has no access_token (identity endpoints only).</summary>
    [JsonStringEnumMemberName("missingAccessToken")]
    MissingAccessToken,
}

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
