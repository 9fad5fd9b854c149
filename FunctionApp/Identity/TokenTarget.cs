namespace FunctionApp.Identity;

/// <summary>
/// Something the app gets tokens for: its scope, the audiences a correct token carries, and the application role
/// the identity must hold there. Failures, diagnostics and the timer probe name it.
/// </summary>
/// <param name="Name">The name used in ?target= and in logs (graph, or the custom API's name).</param>
/// <param name="DisplayName">The name people know it by, for error details.</param>
/// <param name="Scope">The scope the app requests: the resource's Application ID URI or appId plus /.default.</param>
/// <param name="ExpectedAudiences">The aud values a token for this target may carry.</param>
/// <param name="RequiredRole">The application role the app's identity needs there.</param>
/// <param name="AssignHint">Where a missing role is granted, for error details.</param>
public sealed record TokenTarget(
    string Name,
    string DisplayName,
    string Scope,
    IReadOnlyList<string> ExpectedAudiences,
    string RequiredRole,
    string AssignHint)
{
    /// <summary>Why a role granted a moment ago is still missing: every missing-role detail ends with it.</summary>
    public const string StaleTokens = "tokens issued before that lack it until they expire (up to 24 hours: " +
        "the platform caches them, restarting the app does not renew them)";

    /// <summary>The resource part of a scope: what Entra resolves and, for v1.0 tokens, the audience.</summary>
    public static string ResourceOf(string scope)
    {
        const string suffix = "/.default";
        return scope.EndsWith(suffix, StringComparison.Ordinal) ? scope[..^suffix.Length] : scope;
    }
}
