using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace FunctionApp.CustomApi;

public static class CustomApiServiceExtensions
{
    /// <summary>
    /// Registers the typed HttpClient for the custom API (app settings <c>CustomApi__*</c>) with the standard
    /// resilience handler: total and per-attempt timeouts, retries with back-off that honour Retry-After and skip
    /// non-idempotent methods, a circuit breaker. <see cref="CustomApiClient"/> puts the app's token on each call.
    /// </summary>
    public static IHostApplicationBuilder AddCustomApiClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CustomApiOptions>()
            .BindConfiguration(CustomApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddTransient<BufferingHandler>();

        var client = builder.Services.AddHttpClient<CustomApiClient>(ConfigureHttpClient);
        client.AddStandardResilienceHandler().Configure(ConfigureResilience);
        // Inside the resilience handler, so it runs once per attempt.
        client.AddHttpMessageHandler<BufferingHandler>();
        // Application Insights records every outgoing call as a dependency already; the factory's four log lines per
        // call (headers among them, at Trace) would only add to what is ingested.
        client.RemoveAllLoggers();
        return builder;
    }

    private static void ConfigureHttpClient(IServiceProvider services, HttpClient http)
    {
        // Without CustomApi__BaseUrl the client refuses every call before sending one.
        if (services.GetRequiredService<IOptions<CustomApiOptions>>().Value.BaseUrl is { Length: > 0 } baseUrl)
        {
            http.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/");
        }

        // The resilience handler's total timeout is the bound; HttpClient's own 100 s would cut a longer one short.
        http.Timeout = Timeout.InfiniteTimeSpan;
    }

    private static void ConfigureResilience(HttpStandardResilienceOptions resilience, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<CustomApiOptions>>().Value;
        resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(options.AttemptTimeoutSeconds);
        resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(options.TotalTimeoutSeconds);
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
        // Wraps ShouldHandle, so it comes after it.
        resilience.Retry.DisableForUnsafeHttpMethods();
        resilience.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
        // Break when most attempts fail, not at the default 10% (docs/benchmarks.md, section 4).
        resilience.CircuitBreaker.FailureRatio = 0.5;
        // The standard options require the breaker to sample at least two attempt timeouts.
        var sampling = Math.Max(30, 2 * options.AttemptTimeoutSeconds);
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(sampling);
    }

    // The standard predicate, except for a body over what BufferingHandler reads: that is the API's answer, not a
    // fault, and asking again would download the same megabyte and count a healthy API against the breaker.
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome)
    {
        var tooLarge = outcome.Exception is HttpRequestException
        {
            HttpRequestError: HttpRequestError.ConfigurationLimitExceeded,
        };
        return !tooLarge && HttpClientResiliencePredicates.IsTransient(outcome);
    }
}
