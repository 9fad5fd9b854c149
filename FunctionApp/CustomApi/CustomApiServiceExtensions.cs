using System.Globalization;
using Azure.Core;
using FunctionApp.Diagnostics;
using FunctionApp.Hosting;
using FunctionApp.Probes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace FunctionApp.CustomApi;

public static class CustomApiServiceExtensions
{
    private const string ResiliencePipelineKey = "custom-api";

    /// <summary>
    /// Registers the typed HttpClient for the custom API (app settings <c>CustomApi__*</c>): a bearer-token handler on
    /// the app's credential inside a resilience pipeline (total and per-attempt timeouts, retries with back-off that
    /// honour Retry-After and skip non-idempotent methods, a circuit breaker), plus the API as a token target and probe.
    /// Without <c>CustomApi__BaseUrl</c> only the options are registered and the custom-API function answers 404.
    /// </summary>
    public static IHostApplicationBuilder AddCustomApiClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CustomApiOptions>(CustomApiOptions.SectionName);

        var configured = builder.Configuration.GetSection(CustomApiOptions.SectionName).Get<CustomApiOptions>() ?? new CustomApiOptions();
        if (!configured.IsConfigured)
        {
            return builder;
        }

        var client = builder.Services.AddHttpClient<CustomApiClient>((services, http) =>
            {
                var options = services.GetRequiredService<IOptions<CustomApiOptions>>().Value;
                http.BaseAddress = new Uri(options.BaseUrl!.TrimEnd('/') + "/");
                // The whole call's budget, retries and body included. HttpClient enforces one anyway (100 s by default),
                // so this costs nothing a plain client does not pay; a Polly timeout strategy for it cost a layer.
                http.Timeout = TimeSpan.FromSeconds(options.TotalTimeoutSeconds);
            });
        // The factory's per-request log lines are dropped: the app logs one outcome per call, and the pipeline logs
        // retries and an opened breaker itself. benchmarks/OutgoingCallBenchmarks.cs measures what is left.
        client.RemoveAllLoggers();
        builder.Services.AddKeyedSingleton(ResiliencePipelineKey, static (services, _) => BuildPipeline(
            services.GetRequiredService<IOptions<CustomApiOptions>>().Value, services.GetRequiredService<ILogger<ResiliencePipelineHandler>>()));
        client.AddHttpMessageHandler(static services => new ResiliencePipelineHandler(
            services.GetRequiredKeyedService<ResiliencePipeline<HttpResponseMessage>>(ResiliencePipelineKey)));
        // Added after the resilience handler, so it sits inside it and runs once per attempt.
        client.AddHttpMessageHandler(services =>
            new BearerTokenHandler(services.GetRequiredService<TokenCredential>(), services.GetRequiredService<IOptions<CustomApiOptions>>().Value.Scope));

        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<CustomApiOptions>>().Value;
            return new TokenTarget(options.Name, "the custom API", options.Scope, options.ExpectedAudiences, [options.RequiredRole],
                "infra/main.bicep (the custom API's app-role assignment) or infra/scripts");
        });
        builder.Services.AddSingleton<ITargetProbe, CustomApiProbe>();
        return builder;
    }

    // The standard resilience handler's strategies minus its rate limiter (this app sends few requests, the API sheds
    // load itself) and its total timeout (HttpClient.Timeout above), built once: the breaker's state must outlive the
    // factory's two-minute handler rotation.
    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(CustomApiOptions options, ILogger logger)
    {
        var retry = new HttpRetryStrategyOptions
        {
            ShouldHandle = static args => IsTransient(args.Outcome),
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            OnRetry = args =>
            {
                CustomApiLog.Retrying(logger, args.AttemptNumber + 1, Describe(args.Outcome), (int)args.RetryDelay.TotalMilliseconds);
                return default;
            },
        };
        // Wraps ShouldHandle, so it goes after it.
        retry.DisableForUnsafeHttpMethods();
        return new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(retry)
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                ShouldHandle = static args => IsTransient(args.Outcome),
                // Break when most attempts fail, not at the default 10%: with 1 in 5 attempts failing the retries
                // still deliver nearly every call, and a 10% breaker turned a third of them into 503s (the load run).
                FailureRatio = 0.5,
                // The breaker must observe at least two attempt timeouts.
                SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * options.AttemptTimeoutSeconds)),
                OnOpened = args =>
                {
                    CustomApiLog.CircuitOpened(logger, Describe(args.Outcome), (int)args.BreakDuration.TotalSeconds);
                    return default;
                },
                OnClosed = _ =>
                {
                    CustomApiLog.CircuitClosed(logger);
                    return default;
                },
            })
            .AddTimeout(TimeSpan.FromSeconds(options.AttemptTimeoutSeconds))
            .Build();
    }

    // The standard predicate, except for a body over the size the handler reads: that is the API's answer, not a fault,
    // and asking again would download the same megabyte (and count a healthy API's answer against the breaker).
    private static ValueTask<bool> IsTransient(Polly.Outcome<HttpResponseMessage> outcome) => ValueTask.FromResult(
        outcome.Exception is not HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded }
        && HttpClientResiliencePredicates.IsTransient(outcome));

    // A status code or an exception type: never headers or bodies, which carry the token and the API's data.
    private static string Describe(Polly.Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception?.GetType().Name ?? ((int?)outcome.Result?.StatusCode)?.ToString(CultureInfo.InvariantCulture) ?? "no response";
}
