using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FunctionApp.Identity;

public static partial class IdentityServiceExtensions
{
    /// <summary>
    /// Registers the app's one <see cref="TokenCredential"/>: a managed identity in Azure, or DefaultAzureCredential
    /// for local runs (app setting <c>Identity__Credential</c>), each token request bounded by <c>Identity__TokenTimeout</c>.
    /// </summary>
    public static IHostApplicationBuilder AddManagedIdentityCredential(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddSingleton<TokenCredential>(services =>
        {
            var options = services.GetRequiredService<IOptions<IdentityOptions>>().Value;
            CredentialSelected(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdentityServiceExtensions)), options.Describe());
            return new TokenTimeoutCredential(CreateCredential(options), options.TokenTimeout);
        });
        return builder;
    }

    private static TokenCredential CreateCredential(IdentityOptions options)
    {
        var identity = options.IsUserAssigned
            ? ManagedIdentityId.FromUserAssignedClientId(options.UserAssignedClientId!)
            : ManagedIdentityId.SystemAssigned;

        return options.Credential switch
        {
            CredentialKind.ManagedIdentity => new ManagedIdentityCredential(identity),

            // DefaultAzureCredential would take its managed-identity client id from AZURE_CLIENT_ID; setting it
            // explicitly (null meaning system-assigned) keeps that variable from choosing the identity.
            _ => new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = options.IsUserAssigned ? options.UserAssignedClientId : null,
                DisableInstanceDiscovery = options.DisableInstanceDiscovery,
            }),
        };
    }

    // Event ids 1000-1099: the credential's name and identity, never a token.
    [LoggerMessage(1000, LogLevel.Information, "Using {Credential} for outgoing calls")]
    private static partial void CredentialSelected(ILogger logger, string credential);
}
