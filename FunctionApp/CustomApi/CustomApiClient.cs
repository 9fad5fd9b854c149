using System.Net;
using System.Text.Json;
using FunctionApp.Diagnostics;
using FunctionApp.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FunctionApp.CustomApi;

/// <summary>
/// The typed client for the custom API: the bearer handler and the resilience pipeline sit in its HttpClient;
/// this class turns the API's answers into values or diagnoses a person can act on.
/// </summary>
public sealed class CustomApiClient(HttpClient http, IOptions<CustomApiOptions> options, IOptions<IdentityOptions> identity, TokenTargets targets, ILogger<CustomApiClient> logger)
{
    public Task<Outcome<JsonElement>> GetAsync(string resource, CancellationToken cancellationToken) =>
        SendAsync($"api/{resource}", resource, cancellationToken);

    /// <summary>The probe's call: the API's health route, with the app's token attached like every call.</summary>
    public async Task<Diagnosis?> ProbeAsync(CancellationToken cancellationToken) =>
        (await SendAsync(options.Value.HealthPath.TrimStart('/'), "health", cancellationToken)).Failure;

    private async Task<Outcome<JsonElement>> SendAsync(string path, string resource, CancellationToken cancellationToken)
    {
        var target = targets.Find(options.Value.Name)!;
        try
        {
            using var response = await http.GetAsync(path, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return await ReadJsonAsync(response, cancellationToken);
            }

            var diagnosis = Diagnose(response, resource, target);
            CustomApiLog.CallFailed(logger, (int)response.StatusCode, diagnosis.Status);
            return diagnosis;
        }
        catch (Exception e) when (Diagnose(e, target, cancellationToken) is { } diagnosis)
        {
            CustomApiLog.CallFailed(logger, 0, diagnosis.Status);
            return diagnosis;
        }
    }

    private static async Task<Outcome<JsonElement>> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new Diagnosis(StatusCodes.Status502BadGateway, "Custom API answered malformed JSON", "The custom API answered 200 with a body that is not JSON.");
        }
    }

    private Diagnosis Diagnose(HttpResponseMessage response, string resource, TokenTarget target)
    {
        var settings = options.Value;
        return response.StatusCode switch
        {
            // The API says what failed in WWW-Authenticate (error_description): usually the audience or issuer.
            HttpStatusCode.Unauthorized => new Diagnosis(StatusCodes.Status502BadGateway, "The custom API rejected the token",
                $"Audience or issuer rejected: the app requests {settings.Scope}, the API expects something else " +
                $"({Challenge(response)}). Check CustomApi__Scope against the API's Application ID URI and tenant."),
            HttpStatusCode.Forbidden => new Diagnosis(StatusCodes.Status502BadGateway, "The custom API refused the request",
                $"The token has no role {settings.RequiredRole}: assign it to the identity ({target.AssignHint}) and remember a cached token " +
                "keeps its old roles until it expires or the app restarts."),
            HttpStatusCode.NotFound => new Diagnosis(StatusCodes.Status404NotFound, "Not found", $"The custom API has no '{resource}'."),
            _ => new Diagnosis(StatusCodes.Status502BadGateway, "The custom API failed",
                $"The custom API answered {(int)response.StatusCode} {response.ReasonPhrase} after the retries allowed for this call."),
        };
    }

    private Diagnosis? Diagnose(Exception exception, TokenTarget target, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return CredentialFailures.Diagnose(exception, target, identity.Value.Describe()) ?? exception switch
        {
            // An attempt's timeout (Polly) or the whole call's (HttpClient.Timeout, which cancels with a TimeoutException).
            TimeoutRejectedException or TaskCanceledException { InnerException: TimeoutException } when !cancellationToken.IsCancellationRequested => new Diagnosis(StatusCodes.Status504GatewayTimeout, "The custom API timed out",
                $"The custom API did not answer within {settings.AttemptTimeoutSeconds} s per attempt and {settings.TotalTimeoutSeconds} s in all " +
                "(CustomApi__AttemptTimeoutSeconds, CustomApi__TotalTimeoutSeconds)."),
            BrokenCircuitException => new Diagnosis(StatusCodes.Status503ServiceUnavailable, "The custom API is failing",
                "Recent calls to the custom API failed so often that calls are paused for a few seconds (circuit breaker); try again shortly."),
            HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => new Diagnosis(StatusCodes.Status502BadGateway,
                "The custom API answered too much", $"The custom API answered with a body over {ResiliencePipelineHandler.MaxBodyBytes / 1024} KB, " +
                "more than this client reads; its answers are expected to be small JSON documents."),
            HttpRequestException http when !cancellationToken.IsCancellationRequested => new Diagnosis(StatusCodes.Status502BadGateway,
                "The custom API is unreachable", $"The custom API could not be reached: {CredentialFailures.Summarize(http.Message)}"),
            _ => null,
        };
    }

    private static string Challenge(HttpResponseMessage response)
    {
        var challenge = response.Headers.WwwAuthenticate.ToString();
        return challenge.Length == 0 ? "no WWW-Authenticate header" : CredentialFailures.Summarize(challenge);
    }
}

// Event ids 3000-3099.
internal static partial class CustomApiLog
{
    [LoggerMessage(3000, LogLevel.Warning, "Custom API call failed: the API answered {ApiStatus} (0: no answer); mapped to {Status}")]
    public static partial void CallFailed(ILogger logger, int apiStatus, int status);

    [LoggerMessage(3001, LogLevel.Warning, "Custom API attempt {Attempt} failed ({Failure}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, int attempt, string failure, int delayMs);

    [LoggerMessage(3002, LogLevel.Warning, "Custom API circuit opened after {Failure}: calls fail fast for {BreakSeconds} s")]
    public static partial void CircuitOpened(ILogger logger, string failure, int breakSeconds);

    [LoggerMessage(3003, LogLevel.Information, "Custom API circuit closed: calls go through again")]
    public static partial void CircuitClosed(ILogger logger);
}
