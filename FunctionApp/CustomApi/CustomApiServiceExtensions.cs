using Azure.Core;
using FunctionApp.Diagnostics;
using FunctionApp.Hosting;
using FunctionApp.Probes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace FunctionApp.CustomApi;

public static class CustomApiServiceExtensions
{
    /// <summary>
    /// Registers the typed HttpClient for the custom API (app settings <c>CustomApi__*</c>): a bearer-token handler on
    /// the app's credential inside the standard resilience pipeline (timeouts, retries with back-off that honour
    /// Retry-After and skip non-idempotent methods, a circuit breaker), plus the API as a token target and probe.
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
                // The resilience pipeline owns timeouts; HttpClient's own 100 s default would only mask them.
                http.Timeout = Timeout.InfiniteTimeSpan;
            });
        client.AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider services) =>
            {
                var options = services.GetRequiredService<IOptions<CustomApiOptions>>().Value;
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(options.AttemptTimeoutSeconds);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(options.TotalTimeoutSeconds);
                resilience.Retry.DisableForUnsafeHttpMethods();
                // The breaker must observe at least two attempt timeouts (a rule the resilience options enforce).
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * options.AttemptTimeoutSeconds));
            });
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
}
