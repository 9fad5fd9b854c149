using Polly;

namespace FunctionApp.CustomApi;

/// <summary>
/// Sends each request through the custom API's Polly pipeline (timeouts, retries, circuit breaker). This is what
/// Microsoft.Extensions.Http.Resilience's handler does, minus its per-request telemetry and request snapshot: those
/// cost 1-2 us and 1-3 KB per call (benchmarks/OutgoingCallBenchmarks.cs), and this app logs the events that matter
/// (a retry, an opened breaker) from the strategies' own callbacks.
/// </summary>
internal sealed class ResiliencePipelineHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        // The retry strategy's unsafe-method check reads the request from here when an attempt failed without a response.
        context.SetRequestMessage(request);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    // Polly's outcome callbacks report failures as values, not by throwing.
                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendInnerAsync(state.Request, context.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<HttpResponseMessage>(e);
                    }
                },
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
