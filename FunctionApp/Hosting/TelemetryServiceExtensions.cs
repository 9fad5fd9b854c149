using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Hosting;

public static class TelemetryServiceExtensions
{
    /// <summary>
    /// Sends the worker's telemetry and logs to Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING), at the
    /// levels host.json and the logging configuration set.
    /// </summary>
    public static IHostApplicationBuilder AddApplicationInsights(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();

        // The Application Insights SDK adds a rule that drops everything below Warning for its provider; without
        // removing it the probe's per-target Information lines never reach Application Insights.
        builder.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r =>
                r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null)
            {
                options.Rules.Remove(rule);
            }
        });
        // Every provider, the host's (gRPC) included: ASP.NET Core logs each request's URL, ?code= function key
        // and all.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        return builder;
    }
}
