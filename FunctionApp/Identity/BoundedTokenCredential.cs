using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Identity;
using FunctionApp.Problems;
using Microsoft.Identity.Client;

namespace FunctionApp.Identity;

/// <summary>
/// The app's credential as every client gets it: the chosen Azure.Identity credential, each token request bounded by
/// <c>Identity__TokenTimeout</c>, and a failure raised as a <see cref="DependencyException"/> that names the
/// credential, the scope and Entra's reason. Azure.Core's network timeout applies to each of the credential's tries,
/// so an identity endpoint that accepts the connection and never answers would hold every caller far past the
/// function's timeout (docs/benchmarks.md, section 2). Caching, refresh ahead of expiry and one request per scope under
/// concurrency stay Azure.Identity's own.
/// </summary>
internal sealed partial class BoundedTokenCredential(
    TokenCredential inner,
    TimeSpan timeout,
    string description,
    TokenTargets targets)
    : TokenCredential
{
    public override async ValueTask<AccessToken> GetTokenAsync(
        TokenRequestContext requestContext,
        CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            return await inner.GetTokenAsync(requestContext, timeoutSource.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && Failure(e, requestContext, timeoutSource.IsCancellationRequested) is { } failure)
        {
            throw failure;
        }
    }

    // The same bound on the synchronous path, with the synchronous call: blocking on the async one could exhaust the
    // thread pool in a caller that is synchronous for a reason.
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            return inner.GetToken(requestContext, timeoutSource.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && Failure(e, requestContext, timeoutSource.IsCancellationRequested) is { } failure)
        {
            throw failure;
        }
    }

    // Called from an exception filter: it only describes the failure (null: not one to describe), logs nothing.
    private DependencyException? Failure(Exception exception, TokenRequestContext requestContext, bool timedOut)
    {
        var scope = string.Join(' ', requestContext.Scopes);
        var target = targets.ForScope(scope);
        if (exception is OperationCanceledException && timedOut)
        {
            var late = $"No token for {scope} within {timeout.TotalSeconds:0} s (Identity__TokenTimeout): " +
                "the identity endpoint did not answer in time.";
            return NoToken(target, scope, late, exception);
        }

        if (exception is not AuthenticationFailedException failed)
        {
            return null;
        }

        var reason = Reason(failed);
        if (reason.Contains("AADSTS500011", StringComparison.Ordinal))
        {
            var resource = TokenTarget.ResourceOf(scope);
            var detail = $"Entra does not know the resource '{resource}' (AADSTS500011): set the Application ID URI " +
                $"of {target.DisplayName}'s app registration to it (infra/main.bicep sets identifierUris), " +
                $"or correct the configured scope '{scope}'.";
            return new DependencyException(
                target.Name, FailureKind.NoToken, "Token request refused", detail, null, failed);
        }

        // Azure.Identity reports an identity endpoint that answered with a body MSAL could not read as "No managed
        // identity endpoint found", which sends a reader looking for a missing setting. MSAL's error code tells.
        if (failed.InnerException is MsalServiceException
            {
                ErrorCode: MsalError.ManagedIdentityResponseParseFailure,
            } msal)
        {
            var unreadable = $"the identity endpoint answered {msal.StatusCode} with a body that is not a token " +
                "response. Try again; if it persists, check that IDENTITY_ENDPOINT points at the identity endpoint.";
            return NoToken(target, scope, unreadable, failed);
        }

        return NoToken(target, scope, reason, failed);
    }

    private DependencyException NoToken(TokenTarget target, string scope, string reason, Exception cause)
    {
        var detail = $"{description} could not get a token for {scope}: {reason}";
        return new DependencyException(target.Name, FailureKind.NoToken, "No token available", detail, null, cause);
    }

    /// <summary>
    /// Entra's answer when the chain holds one (AADSTS code and text, from whichever exception of the chain carries
    /// it), named after the credential that failed; otherwise the first line of the credential's own message.
    /// </summary>
    private static string Reason(AuthenticationFailedException failed)
    {
        var credential = FailedCredential().Match(failed.Message);
        for (Exception? e = failed; e is not null; e = e.InnerException)
        {
            if (EntraError().Match(e.Message) is { Success: true } entra)
            {
                var leg = credential.Success ? credential.Groups["name"].Value : "Entra";
                return ProblemMapper.Summarize($"{leg}: {entra.Value}");
            }
        }

        return ProblemMapper.Summarize(failed.Message);
    }

    // Azure.Identity's credentials begin their failures with their name: "AzureCliCredential authentication failed:".
    [GeneratedRegex(@"^(?<name>\w+Credential) authentication failed")]
    private static partial Regex FailedCredential();

    // Entra's error, up to the end of its line: "AADSTS65001: The user or administrator has not consented ...".
    [GeneratedRegex(@"AADSTS\d+:[^\n]*")]
    private static partial Regex EntraError();
}
