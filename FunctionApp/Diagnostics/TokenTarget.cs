namespace FunctionApp.Diagnostics;

/// <summary>
/// Something the app gets tokens for: its scope, the audiences a correct token carries, and the application roles
/// the identity must hold there. Diagnostics and the timer probe work from this list.
/// </summary>
/// <param name="Name">The name used in ?target= and in logs (graph, or a custom API's name).</param>
/// <param name="DisplayName">The name people know it by, for error details.</param>
/// <param name="Scope">The scope the app requests: the resource's Application ID URI or appId plus /.default.</param>
/// <param name="ExpectedAudiences">The aud values a token for this target may carry.</param>
/// <param name="RequiredRoles">The application roles the app's identity needs there.</param>
/// <param name="AssignHint">Where a missing role is granted, for error details.</param>
public sealed record TokenTarget(
    string Name,
    string DisplayName,
    string Scope,
    IReadOnlyList<string> ExpectedAudiences,
    IReadOnlyList<string> RequiredRoles,
    string AssignHint)
{
    /// <summary>The resource part of the scope: what Entra resolves and, for v1 tokens, the audience.</summary>
    public string Resource => Scope.EndsWith("/.default", StringComparison.Ordinal) ? Scope[..^"/.default".Length] : Scope;
}

/// <summary>The configured targets, by name.</summary>
public sealed class TokenTargets(IEnumerable<TokenTarget> targets)
{
    public const string GraphName = "graph";

    public IReadOnlyList<TokenTarget> All { get; } = [.. targets];

    public TokenTarget Graph => Find(GraphName) ?? throw new InvalidOperationException("The Microsoft Graph target is not registered (AddGraph).");

    public TokenTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
}
