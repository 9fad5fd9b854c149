using System.Text.Json;

namespace TestSupport;

/// <summary>What an HTTP function answered; <paramref name="RetryAfter"/> is its Retry-After header, if any.</summary>
public sealed record HttpAnswer(int Status, string? ContentType, string Body, string? RetryAfter = null)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Detail => IsProblem ? Json.GetProperty("detail").GetString() : null;

    /// <summary>Whether the body holds anything shaped like a JWT.</summary>
    public bool HasToken => FunctionApp.Problems.ProblemMapper.TokenPattern().IsMatch(Body);

    /// <summary>The status, and for a ProblemDetails answer its title: a failure says which one it was.</summary>
    public string Outcome => IsProblem
        ? $"{Status} {Json.GetProperty("title").GetString()}"
        : Status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private bool IsProblem => ContentType == "application/problem+json";
}
