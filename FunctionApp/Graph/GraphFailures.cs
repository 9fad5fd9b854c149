using System.Text.Json;
using FunctionApp.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace FunctionApp.Graph;

/// <summary>Maps what can go wrong calling Microsoft Graph to a diagnosis; null for anything unexpected.</summary>
internal static class GraphFailures
{
    public static Diagnosis? Diagnose(Exception exception, TokenTarget graph, string credential, int timeoutSeconds, bool timedOut)
    {
        if (timedOut && exception is OperationCanceledException)
        {
            return new Diagnosis(StatusCodes.Status504GatewayTimeout, "Microsoft Graph timed out",
                $"Microsoft Graph did not answer within {timeoutSeconds} s (Graph__TimeoutSeconds).");
        }

        return CredentialFailures.Diagnose(exception, graph, credential) ?? exception switch
        {
            ODataError { ResponseStatusCode: StatusCodes.Status403Forbidden } => new Diagnosis(
                StatusCodes.Status502BadGateway, "Microsoft Graph refused the request",
                $"The identity lacks the application permission {string.Join(" or ", graph.RequiredRoles)} on Microsoft Graph; assign it with " +
                $"{graph.AssignHint}, and note that an already-issued token keeps lacking it until it expires or the app restarts."),
            ODataError { ResponseStatusCode: StatusCodes.Status401Unauthorized } error => new Diagnosis(
                StatusCodes.Status502BadGateway, "Microsoft Graph rejected the token",
                $"Microsoft Graph answered 401 ({error.Error?.Code}: {error.Error?.Message}); the app requests {graph.Scope}, " +
                "check Graph__Scope and that the token's tenant is the one Graph belongs to."),
            ODataError { ResponseStatusCode: StatusCodes.Status429TooManyRequests } => new Diagnosis(
                StatusCodes.Status502BadGateway, "Microsoft Graph is throttling",
                "Microsoft Graph kept answering 429 after the SDK's retries; lower the request rate or try again later."),
            ODataError error => new Diagnosis(
                StatusCodes.Status502BadGateway, "Microsoft Graph failed",
                $"Microsoft Graph answered {error.ResponseStatusCode} ({error.Error?.Code}): {CredentialFailures.Summarize(error.Error?.Message ?? "no message")}"),
            // Kiota wraps a body it cannot parse (a truncated or non-JSON 200) in a plain ApiException.
            ApiException { InnerException: JsonException } => new Diagnosis(
                StatusCodes.Status502BadGateway, "Microsoft Graph answered malformed JSON",
                "Microsoft Graph answered with a body that is not JSON the SDK can read; try again, and check Graph__BaseUrl if it persists."),
            HttpRequestException http => new Diagnosis(
                StatusCodes.Status502BadGateway, "Microsoft Graph unreachable",
                $"Microsoft Graph could not be reached: {CredentialFailures.Summarize(http.Message)}"),
            _ => null,
        };
    }
}
