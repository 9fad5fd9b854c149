using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Authentication.Azure;

namespace FunctionApp.Graph;

public static class GraphServiceExtensions
{
    /// <summary>
    /// Registers one <see cref="GraphServiceClient"/> on the app's credential for the configured Graph base URL
    /// (app settings <c>Graph__*</c>), and the <see cref="UserDirectory"/> the functions read users through.
    /// </summary>
    public static IHostApplicationBuilder AddGraph(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphOptions>().BindConfiguration(GraphOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;
            var baseUrl = new Uri(options.BaseUrl.TrimEnd('/'));
            // The SDK attaches tokens only to the hosts listed here, so a token never follows a redirect or a
            // nextLink to a host that is not the configured Graph.
            var authentication = new AzureIdentityAuthenticationProvider(
                services.GetRequiredService<TokenCredential>(),
                [baseUrl.Host],
                observabilityOptions: null,
                // Managed-identity tokens do not support continuous access evaluation claims challenges.
                isCaeEnabled: false,
                scopes: [options.Scope]);
            var http = GraphClientFactory.Create();
            // UserDirectory bounds each call by Graph__TimeoutSeconds; HttpClient's own 100 s would cut a longer one short.
            http.Timeout = Timeout.InfiniteTimeSpan;
            return new GraphServiceClient(http, authentication, baseUrl.ToString());
        });
        builder.Services.AddSingleton<UserDirectory>();
        return builder;
    }
}
