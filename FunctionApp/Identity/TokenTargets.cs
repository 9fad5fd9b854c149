using FunctionApp.CustomApi;
using FunctionApp.Graph;
using Microsoft.Extensions.Options;

namespace FunctionApp.Identity;

/// <summary>The configured targets: Microsoft Graph always, the custom API when it has a base URL.</summary>
public sealed class TokenTargets(IOptions<GraphOptions> graph, IOptions<CustomApiOptions> customApi)
{
    public const string GraphName = "graph";

    // Microsoft Graph's appId, the same in every tenant.
    private const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    // A Graph token's audience is Graph's resource URI or its appId.
    public TokenTarget Graph { get; } = new(
        GraphName,
        "Microsoft Graph",
        graph.Value.Scope,
        [TokenTarget.ResourceOf(graph.Value.Scope), GraphAppId],
        graph.Value.RequiredRole,
        "infra/main.bicep (the Graph app-role assignment) or infra/scripts");

    public TokenTarget? CustomApi { get; } = customApi.Value.IsConfigured ? ForCustomApi(customApi.Value) : null;

    public IReadOnlyList<TokenTarget> All => CustomApi is null ? [Graph] : [Graph, CustomApi];

    /// <summary>The target a scope belongs to; a scope the app was not configured for stands for itself.</summary>
    public TokenTarget ForScope(string scope)
    {
        if (All.FirstOrDefault(t => t.Scope == scope) is { } target)
        {
            return target;
        }

        return new TokenTarget(scope, TokenTarget.ResourceOf(scope), scope, [], "", "");
    }

    // v1.0 tokens carry the Application ID URI as their audience, v2.0 tokens the appId.
    private static TokenTarget ForCustomApi(CustomApiOptions options)
    {
        var resource = TokenTarget.ResourceOf(options.Scope);
        return new TokenTarget(
            options.Name,
            "the custom API",
            options.Scope,
            [.. new[] { resource, AppIdOf(options, resource) }.Distinct()],
            options.RequiredRole,
            "infra/main.bicep (the custom API's app-role assignment) or infra/scripts");
    }

    // CustomApi__AppId when set, else the GUID of an api://{appId} URI, else the resource as it is.
    private static string AppIdOf(CustomApiOptions options, string resource)
    {
        if (!string.IsNullOrWhiteSpace(options.AppId))
        {
            return options.AppId;
        }

        const string prefix = "api://";
        var isAppIdUri = resource.StartsWith(prefix, StringComparison.Ordinal);
        if (isAppIdUri && Guid.TryParse(resource[prefix.Length..], out var id))
        {
            return id.ToString();
        }

        return resource;
    }
}
