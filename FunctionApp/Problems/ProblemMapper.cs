using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FunctionApp.Problems;

/// <summary>
/// The one place a <see cref="DependencyException"/> becomes what people see: the ProblemDetails an HTTP function
/// answers (its status decided by the failure's kind, a Retry-After header when the caller should wait) and the
/// warning every failed call leaves in the logs, whether an HTTP call or the probe timer made it.
/// </summary>
public sealed partial class ProblemMapper(ILogger<ProblemMapper> logger)
{
    public static int StatusOf(FailureKind kind) => kind switch
    {
        FailureKind.NoToken => StatusCodes.Status503ServiceUnavailable,
        FailureKind.Throttled => StatusCodes.Status503ServiceUnavailable,
        FailureKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        FailureKind.TimedOut => StatusCodes.Status504GatewayTimeout,
        FailureKind.NotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status502BadGateway,
    };

    public static ProblemDetails ToProblemDetails(DependencyException failure) => new()
    {
        Status = StatusOf(failure.Kind),
        Title = failure.Title,
        Detail = failure.Message,
    };

    /// <summary>Answers <paramref name="http"/> with the failure's ProblemDetails and Retry-After, if any.</summary>
    public static Task WriteAsync(HttpContext http, DependencyException failure)
    {
        if (failure.RetryAfter is { } delay)
        {
            http.Response.Headers.RetryAfter = delay.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        }

        return Results.Problem(ToProblemDetails(failure)).ExecuteAsync(http);
    }

    /// <summary>The failure as the logs keep it: its target, title and detail (an AADSTS code, a status...).</summary>
    public void Log(DependencyException failure) => CallFailed(logger, failure.Target, failure.Title, failure.Message);

    /// <summary>
    /// An SDK message's first line without its troubleshooting link or anything token-shaped, at most 400 characters.
    /// </summary>
    public static string Summarize(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        var cut = line.IndexOf(" See the troubleshooting guide", StringComparison.Ordinal);
        if (cut > 0)
        {
            line = line[..cut];
        }

        line = TokenPattern().Replace(line, "[redacted token]");
        return line.Length <= 400 ? line : line[..400] + "…";
    }

    /// <summary>Anything shaped like a JWT (a base64url JSON header, a dot, more base64url).</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?")]
    public static partial Regex TokenPattern();

    // Event ids 2000-2099.
    [LoggerMessage(2000, LogLevel.Warning, "Call to {Target} failed: {Title}: {Detail}")]
    private static partial void CallFailed(ILogger logger, string target, string title, string detail);
}
