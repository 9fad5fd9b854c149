using Azure.Core;
using Azure.Identity;

namespace FunctionApp.Identity;

/// <summary>
/// Gives up on a token request after <c>Identity__TokenTimeout</c>. Azure.Core's network timeout applies to each of the
/// credential's tries, so an identity endpoint that accepts the connection and never answers would hold every caller
/// far past the function's timeout (docs/benchmarks.md, section 2). Caching, refresh ahead of expiry and one request
/// per scope under concurrency are Azure.Identity's own.
/// </summary>
internal sealed class TokenTimeoutCredential(TokenCredential inner, TimeSpan timeout) : TokenCredential
{
    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            return await inner.GetTokenAsync(requestContext, timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Reported as the credential failure it is, so it maps like any other: a 503 naming the setting.
            throw new AuthenticationFailedException(
                $"No token for {string.Join(' ', requestContext.Scopes)} within {timeout.TotalSeconds:0} s (Identity__TokenTimeout): the identity endpoint did not answer in time.");
        }
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();
}
