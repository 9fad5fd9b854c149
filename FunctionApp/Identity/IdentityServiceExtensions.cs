using Azure.Core;
using Azure.Identity;
using FunctionApp.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FunctionApp.Identity;

public static class IdentityServiceExtensions
{
    /// <summary>
    /// Registers the app's one <see cref="TokenCredential"/>: a managed identity in Azure, or DefaultAzureCredential
    /// for local runs (app setting <c>Identity__Credential</c>), behind a per-scope token cache.
    /// </summary>
    public static IHostApplicationBuilder AddManagedIdentityCredential(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<IdentityOptions>(IdentityOptions.SectionName);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TokenCredential>(services =>
        {
            var options = services.GetRequiredService<IOptions<IdentityOptions>>().Value;
            var logger = services.GetRequiredService<ILogger<CachingTokenCredential>>();
            IdentityLog.CredentialSelected(logger, options.Describe());
            return new CachingTokenCredential(CreateCredential(options), services.GetRequiredService<TimeProvider>(), logger, options.RefreshMargin, options.TokenTimeout);
        });

        return builder;
    }

    internal static TokenCredential CreateCredential(IdentityOptions options)
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
                ExcludeInteractiveBrowserCredential = true,
            }),
        };
    }
}
