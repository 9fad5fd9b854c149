using System.Net.Http.Headers;
using Azure.Core;

namespace FunctionApp.CustomApi;

/// <summary>
/// Puts the app's token for one scope on every outgoing request. It runs inside the resilience pipeline, so each
/// retry asks again: after a refresh the retry carries the new token (the cache makes asking cheap).
/// </summary>
internal sealed class BearerTokenHandler(TokenCredential credential, string scope) : DelegatingHandler
{
    // One context instance: the token cache recognises its scopes array by reference.
    private readonly TokenRequestContext _context = new([scope]);

    // Not async: a cached token arrives completed, and this handler then adds no await of its own to the call.
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = credential.GetTokenAsync(_context, cancellationToken);
        return token.IsCompletedSuccessfully ? Send(request, token.Result, cancellationToken) : SendAfterAsync(request, token, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAfterAsync(HttpRequestMessage request, ValueTask<AccessToken> token, CancellationToken cancellationToken) =>
        await Send(request, await token.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private Task<HttpResponseMessage> Send(HttpRequestMessage request, AccessToken token, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return base.SendAsync(request, cancellationToken);
    }
}
