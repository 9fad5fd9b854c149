namespace FunctionApp.CustomApi;

/// <summary>
/// Reads the whole body inside each attempt. HttpClient reads it only after every handler has returned, so a connection
/// dropped mid-body would fail outside the retry, after the resilience handler had counted the attempt a success. The
/// custom API answers small JSON documents; a bigger body fails with ConfigurationLimitExceeded instead of being read.
/// </summary>
internal sealed class BufferingHandler : DelegatingHandler
{
    public const int MaxBodyBytes = 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(MaxBodyBytes, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
