using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Authentication.Azure;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace FunctionApp.Graph;

public static class GraphServiceExtensions
{
    /// <summary>
    /// Registers one <see cref="GraphServiceClient"/> on the app's credential for the configured Graph base URL
    /// (app settings <c>Graph__*</c>), and the <see cref="UserDirectory"/> the functions read users through.
    /// </summary>
    public static IHostApplicationBuilder AddGraph(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphOptions>()
            .BindConfiguration(GraphOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(CreateGraphClient);
        builder.Services.AddSingleton<UserDirectory>();
        return builder;
    }

    private static GraphServiceClient CreateGraphClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;
        var credential = services.GetRequiredService<TokenCredential>();
        var baseUrl = new Uri(options.BaseUrl.TrimEnd('/'));

        // The SDK attaches tokens only to the hosts listed here, so a token never follows a redirect or a nextLink
        // to a host that is not the configured Graph.
        var authentication = new AzureIdentityAuthenticationProvider(
            credential,
            allowedHosts: [baseUrl.Host],
            observabilityOptions: null,
            // Managed-identity tokens do not support continuous access evaluation claims challenges.
            isCaeEnabled: false,
            scopes: [options.Scope]);

        return new GraphServiceClient(CreateHttpClient(options), authentication, baseUrl.ToString());
    }

    private static HttpClient CreateHttpClient(GraphOptions options)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        // Graph's throttling can ask for minutes (Retry-After), which the SDK's retries would wait out past
        // Graph__TimeoutSeconds, ending a throttled call as a timeout. Waits beyond half the budget are not taken:
        // the SDK hands back Graph's last answer, and the caller learns when to try again.
        var retry = new RetryHandlerOption { RetriesTimeLimit = TimeSpan.FromSeconds(options.TimeoutSeconds / 2.0) };
        var index = handlers.IndexOf(handlers.OfType<RetryHandler>().Single());
        handlers[index] = new RetryHandler(retry);

        var http = GraphClientFactory.Create(handlers);
        // UserDirectory bounds each call by Graph__TimeoutSeconds; HttpClient's own 100 s would cut a longer one short.
        http.Timeout = Timeout.InfiniteTimeSpan;
        return http;
    }
}
