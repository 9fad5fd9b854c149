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
    /// for local runs (app setting <c>Identity__Credential</c>), each token request bounded by
    /// <c>Identity__TokenTimeout</c>. Graph, the custom API and the diagnostics all take their tokens from it.
    /// </summary>
    public static IHostApplicationBuilder AddManagedIdentityCredential(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdentityOptions>()
            .BindConfiguration(IdentityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<TokenTargets>();
        builder.Services.AddSingleton<TokenCredential>(CreateAppCredential);
        return builder;
    }

    private static TokenCredential CreateAppCredential(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<IdentityOptions>>().Value;
        var description = options.Describe(Environment.GetEnvironmentVariable("AZURE_TOKEN_CREDENTIALS"));
        var logger = services.GetRequiredService<ILogger<BoundedTokenCredential>>();
        CredentialSelected(logger, description);

        var targets = services.GetRequiredService<TokenTargets>();
        return new BoundedTokenCredential(CreateCredential(options), options.TokenTimeout, description, targets);
    }

    // One instance for the app's lifetime: Azure.Identity caches tokens per credential and scope, and asks the
    // identity endpoint once per scope however many calls wait for it.
    private static TokenCredential CreateCredential(IdentityOptions options)
    {
        var identity = ManagedIdentityId.SystemAssigned;
        if (options.IsUserAssigned)
        {
            identity = ManagedIdentityId.FromUserAssignedClientId(options.UserAssignedClientId!);
        }

        if (options.Credential == CredentialKind.ManagedIdentity)
        {
            return new ManagedIdentityCredential(identity);
        }

        // DefaultAzureCredential would take its managed-identity client id from AZURE_CLIENT_ID; setting it
        // explicitly (null meaning system-assigned) keeps that variable from choosing the identity.
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = options.IsUserAssigned ? options.UserAssignedClientId : null,
            DisableInstanceDiscovery = options.DisableInstanceDiscovery,
        });
    }

    // Event ids 1000-1099: the credential's name and identity, never a token.
    [LoggerMessage(1000, LogLevel.Information, "Using {Credential} for outgoing calls")]
    private static partial void CredentialSelected(ILogger logger, string credential);
}
