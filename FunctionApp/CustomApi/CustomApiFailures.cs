using System.Net;
using System.Text.Json;
using FunctionApp.Identity;
using FunctionApp.Problems;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace FunctionApp.CustomApi;

/// <summary>
/// What the custom API's answers and the resilience handler's exceptions mean for a caller, as
/// <see cref="DependencyException"/>s. An answer is what is left after the handler's retries.
/// </summary>
internal static class CustomApiFailures
{
    private const string Failed = "The custom API failed";

    // The rate limiter rejects at once; a second later some of the calls in flight have ended.
    private static readonly TimeSpan RateLimiterWait = TimeSpan.FromSeconds(1);

    public static DependencyException NotConfigured(string name) => new(
        name,
        FailureKind.NotFound,
        "No custom API",
        "No custom API is configured: set CustomApi__BaseUrl and CustomApi__Scope.");

    public static DependencyException NotOnTheAllowList(string name, IReadOnlyList<string> allowList) => new(
        name,
        FailureKind.NotFound,
        "Unknown resource",
        $"'resource' must be one of: {string.Join(", ", allowList)}.");

    public static DependencyException Malformed(TokenTarget target, JsonException notJson) => new(
        target.Name,
        FailureKind.Malformed,
        "Custom API answered malformed JSON",
        "The custom API answered 200 with a body that is not JSON.",
        null,
        notJson);

    public static DependencyException FromAnswer(TokenTarget target, string name, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                // The API says what failed in WWW-Authenticate (error_description): usually the audience or issuer.
                return Fail(target, FailureKind.TokenRejected, "The custom API rejected the token",
                    $"Audience or issuer rejected: the app requests {target.Scope}, the API expects something else " +
                    $"({ChallengeOf(response)}). Check CustomApi__Scope against the API's Application ID URI and " +
                    "tenant.");
            case HttpStatusCode.Forbidden:
                return Fail(target, FailureKind.MissingRole, "The custom API refused the request",
                    $"The token has no role {target.RequiredRole}: assign it to the identity ({target.AssignHint}); " +
                    $"{TokenTarget.StaleTokens}.");
            case HttpStatusCode.NotFound:
                return Fail(target, FailureKind.NotFound, "Not found", $"The custom API has no '{name}'.");
            case HttpStatusCode.TooManyRequests:
                return StillBusy(target, FailureKind.Throttled, response);
            case HttpStatusCode.ServiceUnavailable:
                return StillBusy(target, FailureKind.Unavailable, response);
            default:
                return Fail(target, FailureKind.Failed, Failed,
                    $"The custom API answered {status} {response.ReasonPhrase} after the retries allowed for this " +
                    "call.");
        }
    }

    public static DependencyException? MapCustomApiFailure(
        Exception exception,
        TokenTarget target,
        CustomApiOptions options) => exception switch
    {
        // An attempt's or the whole call's timeout (the resilience handler).
        TimeoutRejectedException => Fail(target, FailureKind.TimedOut, "The custom API timed out",
            $"The custom API did not answer within {options.AttemptTimeoutSeconds} s per attempt and " +
            $"{options.TotalTimeoutSeconds} s in all " +
            "(CustomApi__AttemptTimeoutSeconds, CustomApi__TotalTimeoutSeconds).",
            exception),
        BrokenCircuitException open => CircuitOpen(target, open),
        RateLimiterRejectedException full => TooManyCalls(target, full),
        HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => Fail(
            target, FailureKind.Malformed, "The custom API answered too much",
            $"The custom API answered with a body over {BufferingHandler.MaxBodyBytes / 1024} KB, more than this " +
            "client reads; its answers are expected to be small JSON documents.",
            exception),
        HttpRequestException unreachable => Fail(target, FailureKind.Unreachable, "The custom API is unreachable",
            $"The custom API could not be reached: {ProblemMapper.Summarize(unreachable.Message)}",
            exception),
        _ => null,
    };

    // 429 and 503 are retried, honouring Retry-After; still there afterwards, the API's own Retry-After is passed on.
    private static DependencyException StillBusy(TokenTarget target, FailureKind kind, HttpResponseMessage response)
    {
        var given = RetryDelay.FromHeader(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
        var delay = RetryDelay.Choose(given, RetryDelay.Default);
        var detail = $"The custom API answered {(int)response.StatusCode} {response.ReasonPhrase} after the retries " +
            $"allowed for this call; {RetryDelay.Advice(delay)}";
        return new DependencyException(target.Name, kind, Failed, detail, delay);
    }

    private static DependencyException CircuitOpen(TokenTarget target, BrokenCircuitException open)
    {
        var delay = RetryDelay.Choose(open.RetryAfter, RetryDelay.Default);
        var detail = "Recent calls to the custom API failed so often that calls are paused (circuit breaker); " +
            RetryDelay.Advice(delay);
        return new DependencyException(
            target.Name, FailureKind.Unavailable, "The custom API is failing", detail, delay, open);
    }

    private static DependencyException TooManyCalls(TokenTarget target, RateLimiterRejectedException full)
    {
        var delay = RetryDelay.Choose(full.RetryAfter, RateLimiterWait);
        var detail = "More calls to the custom API were in flight than the client allows (the standard resilience " +
            $"handler's concurrency limit); {RetryDelay.Advice(delay)}";
        return new DependencyException(
            target.Name, FailureKind.Unavailable, "Too many custom-API calls at once", detail, delay, full);
    }

    private static string ChallengeOf(HttpResponseMessage response)
    {
        var challenge = response.Headers.WwwAuthenticate.ToString();
        return challenge.Length == 0 ? "no WWW-Authenticate header" : ProblemMapper.Summarize(challenge);
    }

    private static DependencyException Fail(
        TokenTarget target,
        FailureKind kind,
        string title,
        string detail,
        Exception? cause = null) => new(target.Name, kind, title, detail, null, cause);
}
