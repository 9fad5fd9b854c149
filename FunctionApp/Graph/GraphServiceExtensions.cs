using Azure.Core;
using FunctionApp.Diagnostics;
using FunctionApp.Hosting;
using FunctionApp.Probes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Authentication.Azure;

namespace FunctionApp.Graph;

public static class GraphServiceExtensions
{
    /// <summary>
    /// Registers one <see cref="GraphServiceClient"/> on the app's credential, for the configured Graph base URL
    /// (app settings <c>Graph__*</c>), and Microsoft Graph as a token target for diagnostics and the timer probe.
    /// </summary>
    public static IHostApplicationBuilder AddGraph(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<GraphOptions>(GraphOptions.SectionName);

        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;
            // The SDK attaches tokens only to the hosts listed here, so a token never follows a redirect or a
            // nextLink to a host that is not the configured Graph.
            var authentication = new AzureIdentityAuthenticationProvider(
                services.GetRequiredService<TokenCredential>(),
                [options.BaseUri.Host],
                observabilityOptions: null,
                // Managed-identity tokens do not support continuous access evaluation claims challenges.
                isCaeEnabled: false,
                scopes: [options.Scope]);
            return new GraphServiceClient(GraphClientFactory.Create(), authentication, options.BaseUri.ToString());
        });

        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;
            var target = new TokenTarget(TokenTargets.GraphName, "Microsoft Graph", options.Scope, [], [options.RequiredRole],
                "infra/main.bicep (the Graph app-role assignment) or infra/scripts");
            // A Graph token's audience is Graph's resource URI (or its appId, 00000003-0000-0000-c000-000000000000).
            return target with { ExpectedAudiences = [target.Resource, "00000003-0000-0000-c000-000000000000"] };
        });
        builder.Services.AddSingleton<UserDirectory>();
        builder.Services.AddSingleton<ITargetProbe, GraphProbe>();
        return builder;
    }
}
