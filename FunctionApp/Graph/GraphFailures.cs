using System.Text.Json;
using FunctionApp.Identity;
using FunctionApp.Problems;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace FunctionApp.Graph;

/// <summary>
/// What the Graph SDK's exceptions mean for a caller, as <see cref="DependencyException"/>s. The SDK reports Graph's
/// error answers as <see cref="ODataError"/>, retries it gave up on as an <see cref="AggregateException"/> of one
/// <see cref="ApiException"/> per answer, and a body it could not parse as an ApiException around the parser's error.
/// </summary>
internal static class GraphFailures
{
    private const string GraphName = TokenTargets.GraphName;
    private const string Throttling = "Microsoft Graph is throttling";
    private const string Unavailable = "Microsoft Graph is unavailable";

    public static DependencyException TimedOut(int timeoutSeconds, Exception cause) => Fail(
        FailureKind.TimedOut,
        "Microsoft Graph timed out",
        $"Microsoft Graph did not answer within {timeoutSeconds} s (Graph__TimeoutSeconds).",
        cause);

    public static DependencyException? MapGraphFailure(Exception exception, TokenTarget graph) => exception switch
    {
        ODataError { ResponseStatusCode: 403 } refused => MissingRole(graph, refused),
        ODataError { ResponseStatusCode: 401 } rejected => TokenRejected(graph, rejected),
        ODataError { ResponseStatusCode: 429 or 503 } busy => AskedToWaitTooLong(busy),
        ODataError error => Fail(
            FailureKind.Failed,
            "Microsoft Graph failed",
            $"Microsoft Graph answered {error.ResponseStatusCode} ({error.Error?.Code}): {MessageOf(error)}",
            error),
        AggregateException { InnerExceptions: [_, .., ApiException { ResponseStatusCode: 429 or 503 or 504 }] } all =>
            StillFailingAfterRetries(all),
        ApiException { InnerException: JsonException } malformed => Fail(
            FailureKind.Malformed,
            "Microsoft Graph answered malformed JSON",
            "Microsoft Graph answered with a body that is not JSON the SDK can read; try again, " +
            "and check Graph__BaseUrl if it persists.",
            malformed),
        HttpRequestException unreachable => Fail(
            FailureKind.Unreachable,
            "Microsoft Graph unreachable",
            $"Microsoft Graph could not be reached: {ProblemMapper.Summarize(unreachable.Message)}",
            unreachable),
        _ => null,
    };

    private static DependencyException MissingRole(TokenTarget graph, ODataError refused) => Fail(
        FailureKind.MissingRole,
        "Microsoft Graph refused the request",
        $"The identity lacks the application permission {graph.RequiredRole} on Microsoft Graph; assign it with " +
        $"{graph.AssignHint}; {TokenTarget.StaleTokens}.",
        refused);

    private static DependencyException TokenRejected(TokenTarget graph, ODataError rejected) => Fail(
        FailureKind.TokenRejected,
        "Microsoft Graph rejected the token",
        $"Microsoft Graph answered 401 ({rejected.Error?.Code}: {MessageOf(rejected)}); the app requests " +
        $"{graph.Scope}, check Graph__Scope and that the token's tenant is the one Graph belongs to.",
        rejected);

    // The SDK hands back Graph's 429 or 503 itself when waiting as Retry-After asks would outlast the retries' time
    // limit (GraphServiceExtensions), so the caller is told to come back then.
    private static DependencyException AskedToWaitTooLong(ODataError busy)
    {
        var delay = RetryDelay.Choose(RetryAfterOf(busy), RetryDelay.Default);
        var detail = $"Microsoft Graph answered {busy.ResponseStatusCode} and asked for a longer wait than " +
            $"Graph__TimeoutSeconds leaves; {RetryDelay.Advice(delay)}";
        return Busy(busy.ResponseStatusCode, detail, delay, busy);
    }

    private static DependencyException StillFailingAfterRetries(AggregateException gaveUp)
    {
        var last = (ApiException)gaveUp.InnerExceptions[^1];
        var retries = gaveUp.InnerExceptions.Count - 1;
        var answered = $"Microsoft Graph still answered {last.ResponseStatusCode} after the SDK's {retries} retries";
        if (last.ResponseStatusCode == 504)
        {
            // A gateway timeout says nothing about when Graph will be back: no Retry-After to pass on.
            return Fail(FailureKind.Failed, Unavailable, $"{answered}; try again later.", gaveUp);
        }

        var delay = RetryDelay.Choose(RetryAfterOf(last), RetryDelay.Default);
        return Busy(last.ResponseStatusCode, $"{answered}; {RetryDelay.Advice(delay)}", delay, gaveUp);
    }

    // 429 is Graph throttling this app; 503, Graph itself unavailable. Both answer 503 with when to come back.
    private static DependencyException Busy(int status, string detail, TimeSpan delay, Exception cause)
    {
        if (status == 429)
        {
            return new DependencyException(GraphName, FailureKind.Throttled, Throttling, detail, delay, cause);
        }

        return new DependencyException(GraphName, FailureKind.Unavailable, Unavailable, detail, delay, cause);
    }

    private static TimeSpan? RetryAfterOf(ApiException answer)
    {
        var header = answer.ResponseHeaders
            .FirstOrDefault(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase))
            .Value?
            .FirstOrDefault();
        return RetryDelay.Parse(header, DateTimeOffset.UtcNow);
    }

    private static string MessageOf(ODataError error) => ProblemMapper.Summarize(error.Error?.Message ?? "no message");

    private static DependencyException Fail(FailureKind kind, string title, string detail, Exception cause) =>
        new(GraphName, kind, title, detail, null, cause);
}
