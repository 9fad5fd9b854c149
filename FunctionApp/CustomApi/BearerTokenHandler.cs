using System.Net.Http.Headers;
using Azure.Core;
using Microsoft.Extensions.Options;

namespace FunctionApp.CustomApi;

/// <summary>
/// Puts the app's token for the custom API's scope on every call; Azure.Identity answers from its cache until the
/// token nears expiry.
/// </summary>
internal sealed class BearerTokenHandler(TokenCredential credential, IOptions<CustomApiOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await credential.GetTokenAsync(new TokenRequestContext([options.Value.Scope]), cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return await base.SendAsync(request, cancellationToken);
    }
}
