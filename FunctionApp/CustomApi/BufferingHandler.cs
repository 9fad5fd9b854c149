namespace FunctionApp.CustomApi;

/// <summary>
/// Reads the response body inside the resilience pipeline. HttpClient buffers a body only after the handlers have
/// returned, so a connection dropped mid-body would otherwise fail outside the retry strategy, after it had already
/// counted the attempt as a success. The custom API answers small JSON documents; the limit keeps it that way.
/// </summary>
internal sealed class BufferingHandler : DelegatingHandler
{
    private const long MaxBodyBytes = 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await response.Content.LoadIntoBufferAsync(MaxBodyBytes, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
