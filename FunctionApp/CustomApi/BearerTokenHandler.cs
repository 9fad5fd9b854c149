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

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await credential.GetTokenAsync(_context, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
