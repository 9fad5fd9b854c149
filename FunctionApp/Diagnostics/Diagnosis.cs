using System.Text.RegularExpressions;
using Azure.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Identity.Client;

namespace FunctionApp.Diagnostics;

/// <summary>A failure the app understands: the HTTP status it maps to and a detail a person can act on.</summary>
public sealed record Diagnosis(int Status, string Title, string Detail)
{
    public IResult ToResult() => Results.Problem(detail: Detail, statusCode: Status, title: Title);
}

/// <summary>The result of a call that either produced a value or failed in a way the app can explain.</summary>
public readonly record struct Outcome<T>(T? Value, Diagnosis? Failure)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Diagnosis failure) => new(default, failure);
}

/// <summary>Turns failures of token acquisition into diagnoses; callers add their own for the API they call.</summary>
public static partial class CredentialFailures
{
    /// <summary>Null when the exception is not a credential failure (let it reach the exception middleware).</summary>
    public static Diagnosis? Diagnose(Exception exception, TokenTarget target, string credential)
    {
        if (exception is not AuthenticationFailedException failed)
        {
            return null;
        }

        // AADSTS500011: the scope names no resource in the tenant, almost always an Application ID URI that was
        // never set on the API's app registration, or a typo in the configured scope.
        if (failed.Message.Contains("AADSTS500011", StringComparison.Ordinal))
        {
            return new Diagnosis(
                StatusCodes.Status503ServiceUnavailable,
                "Token request refused",
                $"Entra does not know the resource '{target.Resource}' (AADSTS500011): set the Application ID URI of {target.DisplayName}'s app " +
                $"registration to it (infra/main.bicep sets identifierUris), or correct the configured scope '{target.Scope}'.");
        }

        // Azure.Identity reports an identity endpoint that answered with a body MSAL could not read as "No managed
        // identity endpoint found", which sends a reader looking for a missing setting; MSAL's exception inside it says
        // what happened. Told apart by MSAL's error code, not by either message.
        if (failed is CredentialUnavailableException { InnerException: MsalServiceException { ErrorCode: MsalError.ManagedIdentityResponseParseFailure } unreadable })
        {
            return new Diagnosis(
                StatusCodes.Status503ServiceUnavailable,
                "No token available",
                $"{credential} could not get a token for {target.Scope}: the identity endpoint answered {unreadable.StatusCode} with a body " +
                "that is not a token response. Try again; if it persists, check that IDENTITY_ENDPOINT points at the identity endpoint.");
        }

        return new Diagnosis(
            StatusCodes.Status503ServiceUnavailable,
            "No token available",
            $"{credential} could not get a token for {target.Scope}: {Summarize(failed.Message)}");
    }

    /// <summary>
    /// The first line of an SDK error message, without the troubleshooting link and with anything token-shaped
    /// removed, short enough for a problem detail.
    /// </summary>
    public static string Summarize(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        var cut = line.IndexOf(" See the troubleshooting guide", StringComparison.Ordinal);
        line = cut > 0 ? line[..cut] : line;
        line = JwtPattern().Replace(line, "[redacted token]");
        return line.Length <= 400 ? line : line[..400] + "…";
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?")]
    private static partial Regex JwtPattern();
}
