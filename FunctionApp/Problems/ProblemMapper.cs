using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Identity;
using FunctionApp.CustomApi;
using FunctionApp.Diagnostics;
using FunctionApp.Graph;
using FunctionApp.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace FunctionApp.Problems;

/// <summary>
/// The one place where what can go wrong getting a token, calling Microsoft Graph or calling the custom API becomes a
/// problem a person can act on: the HTTP functions answer it, the probe timer logs it. Null means unexpected.
/// </summary>
public sealed partial class ProblemMapper(
    IOptions<IdentityOptions> identity, IOptions<GraphOptions> graph, IOptions<CustomApiOptions> customApi, ILogger<ProblemMapper> logger)
{
    public ProblemDetails? Map(Exception exception, TokenTarget target, CancellationToken cancellationToken)
    {
        // A caller that gave up is not a failure of the dependency, whatever the exception says.
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        var problem = Token(exception, target) ?? (target.IsGraph ? Graph(exception, target) : CustomApi(exception, target));
        if (problem is not null)
        {
            CallFailed(logger, target.Name, problem.Title ?? "");
        }

        return problem;
    }

    /// <summary>An SDK message's first line without its troubleshooting link or anything token-shaped, at most 400 characters.</summary>
    public static string Summarize(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        var cut = line.IndexOf(" See the troubleshooting guide", StringComparison.Ordinal);
        line = TokenPattern().Replace(cut > 0 ? line[..cut] : line, "[redacted token]");
        return line.Length <= 400 ? line : line[..400] + "…";
    }

    /// <summary>Anything shaped like a JWT (a base64url JSON header, a dot, more base64url).</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?")]
    public static partial Regex TokenPattern();

    private ProblemDetails? Token(Exception exception, TokenTarget target)
    {
        if (exception is not AuthenticationFailedException failed)
        {
            return null;
        }

        // Entra's reason for refusing a service principal (AADSTS code and text) is only in MSAL's exception.
        var reason = failed.InnerException is Microsoft.Identity.Client.MsalServiceException msal && msal.Message.IndexOf("AADSTS", StringComparison.Ordinal) is >= 0 and var at
            ? $"{failed.Message.Split('\n')[0].TrimEnd()} {msal.Message[at..]}" : failed.Message;
        if (reason.Contains("AADSTS500011", StringComparison.Ordinal))
        {
            var resource = TokenTarget.ResourceOf(target.Scope);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Token request refused",
                $"Entra does not know the resource '{resource}' (AADSTS500011): set the Application ID URI of {target.DisplayName}'s app " +
                $"registration to it (infra/main.bicep sets identifierUris), or correct the configured scope '{target.Scope}'.");
        }

        var credential = identity.Value.Describe();
        // Azure.Identity reports an identity endpoint that answered with a body MSAL could not read as "No managed
        // identity endpoint found", which sends a reader looking for a missing setting. Told apart by MSAL's error code.
        if (failed is CredentialUnavailableException { InnerException: Microsoft.Identity.Client.MsalServiceException { ErrorCode: Microsoft.Identity.Client.MsalError.ManagedIdentityResponseParseFailure } unreadable })
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "No token available",
                $"{credential} could not get a token for {target.Scope}: the identity endpoint answered {unreadable.StatusCode} with a body " +
                "that is not a token response. Try again; if it persists, check that IDENTITY_ENDPOINT points at the identity endpoint.");
        }

        return Problem(StatusCodes.Status503ServiceUnavailable, "No token available",
            $"{credential} could not get a token for {target.Scope}: {Summarize(reason)}");
    }

    private ProblemDetails? Graph(Exception exception, TokenTarget target) => exception switch
    {
        ODataError { ResponseStatusCode: StatusCodes.Status403Forbidden } => Problem(StatusCodes.Status502BadGateway, "Microsoft Graph refused the request",
            $"The identity lacks the application permission {target.RequiredRole} on Microsoft Graph; assign it with " +
            $"{target.AssignHint}; tokens issued before that lack it until they expire (up to 24 hours: the platform caches them, restarting the app does not renew them)."),
        ODataError { ResponseStatusCode: StatusCodes.Status401Unauthorized } error => Problem(StatusCodes.Status502BadGateway, "Microsoft Graph rejected the token",
            $"Microsoft Graph answered 401 ({error.Error?.Code}: {Summarize(error.Error?.Message ?? "no message")}); the app requests {target.Scope}, " +
            "check Graph__Scope and that the token's tenant is the one Graph belongs to."),
        // The SDK's retry handler gives up on 429, 503 and 504 with an aggregate of one ApiException per answer.
        AggregateException { InnerExceptions: [_, .., ApiException { ResponseStatusCode: (429 or 503 or 504) and var status }] } all => Problem(StatusCodes.Status502BadGateway,
            status == StatusCodes.Status429TooManyRequests ? "Microsoft Graph is throttling" : "Microsoft Graph is unavailable",
            $"Microsoft Graph still answered {status} after the SDK's {all.InnerExceptions.Count - 1} retries; try again later."),
        ODataError error => Problem(StatusCodes.Status502BadGateway, "Microsoft Graph failed",
            $"Microsoft Graph answered {error.ResponseStatusCode} ({error.Error?.Code}): {Summarize(error.Error?.Message ?? "no message")}"),
        // Kiota wraps a body it cannot parse (a truncated or non-JSON 200) in a plain ApiException.
        ApiException { InnerException: JsonException } => Problem(StatusCodes.Status502BadGateway, "Microsoft Graph answered malformed JSON",
            "Microsoft Graph answered with a body that is not JSON the SDK can read; try again, and check Graph__BaseUrl if it persists."),
        TimeoutException => Problem(StatusCodes.Status504GatewayTimeout, "Microsoft Graph timed out",
            $"Microsoft Graph did not answer within {graph.Value.TimeoutSeconds} s (Graph__TimeoutSeconds)."),
        HttpRequestException http => Problem(StatusCodes.Status502BadGateway, "Microsoft Graph unreachable",
            $"Microsoft Graph could not be reached: {Summarize(http.Message)}"),
        _ => null,
    };

    private ProblemDetails? CustomApi(Exception exception, TokenTarget target) => exception switch
    {
        // The API says what failed in WWW-Authenticate (error_description): usually the audience or issuer.
        CustomApiException { StatusCode: HttpStatusCode.Unauthorized } rejected => Problem(StatusCodes.Status502BadGateway, "The custom API rejected the token",
            $"Audience or issuer rejected: the app requests {target.Scope}, the API expects something else " +
            $"({(rejected.Challenge.Length == 0 ? "no WWW-Authenticate header" : Summarize(rejected.Challenge))}). " +
            "Check CustomApi__Scope against the API's Application ID URI and tenant."),
        CustomApiException { StatusCode: HttpStatusCode.Forbidden } => Problem(StatusCodes.Status502BadGateway, "The custom API refused the request",
            $"The token has no role {target.RequiredRole}: assign it to the identity ({target.AssignHint}); tokens issued before that lack it " +
            "until they expire (up to 24 hours: the platform caches them, restarting the app does not renew them)."),
        CustomApiException { StatusCode: HttpStatusCode.NotFound } missing => Problem(StatusCodes.Status404NotFound, "Not found",
            $"The custom API has no '{missing.Name}'."),
        CustomApiException failed => Problem(StatusCodes.Status502BadGateway, "The custom API failed",
            $"The custom API answered {(int)failed.StatusCode} {failed.ReasonPhrase} after the retries allowed for this call."),
        JsonException => Problem(StatusCodes.Status502BadGateway, "Custom API answered malformed JSON",
            "The custom API answered 200 with a body that is not JSON."),
        // An attempt's or the whole call's timeout (the resilience handler).
        TimeoutRejectedException => Problem(StatusCodes.Status504GatewayTimeout, "The custom API timed out",
            $"The custom API did not answer within {customApi.Value.AttemptTimeoutSeconds} s per attempt and {customApi.Value.TotalTimeoutSeconds} s in all " +
            "(CustomApi__AttemptTimeoutSeconds, CustomApi__TotalTimeoutSeconds)."),
        BrokenCircuitException => Problem(StatusCodes.Status503ServiceUnavailable, "The custom API is failing",
            "Recent calls to the custom API failed so often that calls are paused for a few seconds (circuit breaker); try again shortly."),
        RateLimiterRejectedException => Problem(StatusCodes.Status503ServiceUnavailable, "Too many custom-API calls at once",
            "More calls to the custom API were in flight than the client allows (the standard resilience handler's concurrency limit); try again shortly."),
        HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => Problem(StatusCodes.Status502BadGateway,
            "The custom API answered too much", $"The custom API answered with a body over {BufferingHandler.MaxBodyBytes / 1024} KB, " +
            "more than this client reads; its answers are expected to be small JSON documents."),
        HttpRequestException http => Problem(StatusCodes.Status502BadGateway, "The custom API is unreachable",
            $"The custom API could not be reached: {Summarize(http.Message)}"),
        _ => null,
    };

    private static ProblemDetails Problem(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    // Event ids 2000-2099.
    [LoggerMessage(2000, LogLevel.Warning, "Call to {Target} failed: {Title}")]
    private static partial void CallFailed(ILogger logger, string target, string title);
}
