using FunctionApp.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests;

/// <summary>What reaches Application Insights: the probe's Information lines do, the request lines carrying keys do not.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public void AddApplicationInsights_KeepsInformationForItsProviderAndRequestLinesAtWarningForEveryProvider()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddApplicationInsights();
        using var host = builder.Build();

        var rules = host.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules;

        Assert.DoesNotContain(rules, r => r.ProviderName?.EndsWith("ApplicationInsightsLoggerProvider", StringComparison.Ordinal) == true);
        var requests = Assert.Single(rules, r => r.CategoryName == "Microsoft.AspNetCore.Hosting.Diagnostics");
        Assert.Null(requests.ProviderName);
        Assert.Equal(LogLevel.Warning, requests.LogLevel);
    }
}
