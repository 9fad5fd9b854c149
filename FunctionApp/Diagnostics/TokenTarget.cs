using FunctionApp.CustomApi;
using FunctionApp.Graph;
using Microsoft.Extensions.Options;

namespace FunctionApp.Diagnostics;

/// <summary>
/// Something the app gets tokens for: its scope, the audiences a correct token carries, and the application role
/// the identity must hold there. Diagnostics, error details and the timer probe work from this list.
/// </summary>
/// <param name="Name">The name used in ?target= and in logs (graph, or the custom API's name).</param>
/// <param name="DisplayName">The name people know it by, for error details.</param>
/// <param name="Scope">The scope the app requests: the resource's Application ID URI or appId plus /.default.</param>
/// <param name="ExpectedAudiences">The aud values a token for this target may carry.</param>
/// <param name="RequiredRole">The application role the app's identity needs there.</param>
/// <param name="AssignHint">Where a missing role is granted, for error details.</param>
public sealed record TokenTarget(string Name, string DisplayName, string Scope, IReadOnlyList<string> ExpectedAudiences, string RequiredRole, string AssignHint)
{
    public bool IsGraph => Name == TokenTargets.GraphName;

    /// <summary>The resource part of a scope: what Entra resolves and, for v1.0 tokens, the audience.</summary>
    public static string ResourceOf(string scope) => scope.EndsWith("/.default", StringComparison.Ordinal) ? scope[..^"/.default".Length] : scope;
}

/// <summary>The configured targets: Microsoft Graph always, the custom API when it has a base URL.</summary>
public sealed class TokenTargets(IOptions<GraphOptions> graph, IOptions<CustomApiOptions> customApi)
{
    public const string GraphName = "graph";

    // A Graph token's audience is Graph's resource URI or its appId.
    public TokenTarget Graph { get; } = new(GraphName, "Microsoft Graph", graph.Value.Scope,
        [TokenTarget.ResourceOf(graph.Value.Scope), "00000003-0000-0000-c000-000000000000"], graph.Value.RequiredRole,
        "infra/main.bicep (the Graph app-role assignment) or infra/scripts");

    public TokenTarget? CustomApi { get; } = customApi.Value.IsConfigured ? ForCustomApi(customApi.Value) : null;

    public IReadOnlyList<TokenTarget> All => CustomApi is null ? [Graph] : [Graph, CustomApi];

    // v1.0 tokens carry the Application ID URI as their audience, v2.0 tokens the appId.
    private static TokenTarget ForCustomApi(CustomApiOptions options)
    {
        var resource = TokenTarget.ResourceOf(options.Scope);
        var appId = !string.IsNullOrWhiteSpace(options.AppId) ? options.AppId
            : resource.StartsWith("api://", StringComparison.Ordinal) && Guid.TryParse(resource["api://".Length..], out var id) ? id.ToString()
            : resource;
        return new TokenTarget(options.Name, "the custom API", options.Scope, [.. new[] { resource, appId }.Distinct()], options.RequiredRole,
            "infra/main.bicep (the custom API's app-role assignment) or infra/scripts");
    }
}
