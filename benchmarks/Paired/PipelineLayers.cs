using Azure.Core;
using FunctionApp.CustomApi;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Benchmarks.Paired;

/// <summary>
/// The custom API's client taken apart, layer by layer, for the question its 1.05x target raises: what does each
/// layer cost over loopback? Each client is the app's own handlers (<see cref="ResiliencePipelineHandler"/> around
/// <see cref="BearerTokenHandler"/> on the cached credential, an <see cref="HttpClientHandler"/> underneath, as the
/// factory builds it) around a pipeline of the named strategies. The strategies use the app's option types; on the
/// success path measured here their counts and delays never come into play. The app's own client, built by its
/// registration, is the last step of the ladder (<see cref="OutgoingCallBenchmarks"/>).
/// </summary>
internal sealed class PipelineLayers : IDisposable
{
    private readonly List<HttpClient> _clients = [];

    public PipelineLayers(Uri address)
    {
        var credential = PrebuiltCredential.Cached(PrebuiltCredential.DayLongToken());
        var attemptTimeout = TimeSpan.FromSeconds(10);

        SameAsBaseline = Add(new HttpClientHandler(), address);
        SameAsBaseline.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "header.payload.signature");
        BearerOnly = Add(Bearer(credential), address);
        EmptyPipeline = Add(new ResiliencePipelineHandler(ResiliencePipeline<HttpResponseMessage>.Empty) { InnerHandler = Bearer(credential) }, address);
        Retry = Add(new ResiliencePipelineHandler(Build(retry: true)) { InnerHandler = Bearer(credential) }, address);
        RetryTimeout = Add(new ResiliencePipelineHandler(Build(retry: true, timeout: attemptTimeout)) { InnerHandler = Bearer(credential) }, address);
        RetryBreaker = Add(new ResiliencePipelineHandler(Build(retry: true, breaker: true)) { InnerHandler = Bearer(credential) }, address);
    }

    /// <summary>A second plain client with the fixed header: what the pairing reads when nothing differs.</summary>
    public HttpClient SameAsBaseline { get; }

    public HttpClient BearerOnly { get; }

    public HttpClient EmptyPipeline { get; }

    public HttpClient Retry { get; }

    public HttpClient RetryTimeout { get; }

    public HttpClient RetryBreaker { get; }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    private static BearerTokenHandler Bearer(TokenCredential credential) => new(credential, "api://orders/.default") { InnerHandler = new HttpClientHandler() };

    private static ResiliencePipeline<HttpResponseMessage> Build(bool retry = false, bool breaker = false, TimeSpan? timeout = null)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (retry)
        {
            var options = new HttpRetryStrategyOptions { BackoffType = DelayBackoffType.Exponential, UseJitter = true };
            options.DisableForUnsafeHttpMethods();
            builder.AddRetry(options);
        }

        if (breaker)
        {
            builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions { FailureRatio = 0.5 });
        }

        if (timeout is { } attempt)
        {
            builder.AddTimeout(attempt);
        }

        return builder.Build();
    }

    private HttpClient Add(HttpMessageHandler handler, Uri address)
    {
        // The app's client has a 30 s budget (CustomApi__TotalTimeoutSeconds); the baseline keeps HttpClient's 100 s. Both
        // pay for one timeout, whatever its length.
        var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(client);
        return client;
    }
}
