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
