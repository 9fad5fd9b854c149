using System.Globalization;
using Azure.Core;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionApp.Diagnostics;

/// <summary>What a token says, minus the token: its header, the claims that matter, and a verdict.</summary>
public sealed record TokenReport(
    string Target, string Scope, IReadOnlyDictionary<string, string?> Header, IReadOnlyDictionary<string, object?> Claims, TokenVerdict Verdict);

public sealed record TokenVerdict(
    bool Ok, bool AudienceMatches, IReadOnlyList<string> ExpectedAudiences, IReadOnlyList<string> RequiredRoles, IReadOnlyList<string> MissingRoles,
    DateTimeOffset ExpiresOn, int ExpiresInSeconds, IReadOnlyList<string> Problems);

/// <summary>
/// Gets the token the app would use for a target and explains it. This replaces pasting tokens into a website:
/// the raw token and its signature never leave the process. A failure to get the token is thrown, for the caller to map.
/// </summary>
public sealed class TokenInspector(TokenCredential credential)
{
    private static readonly string[] ReportedClaims = ["aud", "iss", "tid", "oid", "appid", "azp", "idtyp", "ver", "roles", "scp", "exp", "nbf", "iat", "xms_mirid"];
    private static readonly string[] TimeClaims = ["exp", "nbf", "iat"];

    public async Task<TokenReport> InspectAsync(TokenTarget target, CancellationToken cancellationToken) =>
        Explain(target, await credential.GetTokenAsync(new TokenRequestContext([target.Scope]), cancellationToken));

    private static TokenReport Explain(TokenTarget target, AccessToken token)
    {
        var jwt = new JsonWebToken(token.Token);
        var header = new Dictionary<string, string?> { ["alg"] = jwt.Alg, ["kid"] = jwt.Kid, ["typ"] = jwt.Typ };
        var claims = new Dictionary<string, object?>();
        foreach (var name in ReportedClaims)
        {
            var values = jwt.Claims.Where(c => c.Type == name).Select(c => c.Value).ToArray();
            if (values.Length > 0)
            {
                claims[name] = name == "roles" ? values
                    : TimeClaims.Contains(name) && long.TryParse(values[0], CultureInfo.InvariantCulture, out var seconds) ? seconds
                    : values[0];
            }
        }

        var roles = claims.GetValueOrDefault("roles") as string[] ?? [];
        var audiences = jwt.Audiences.ToList();
        var audienceMatches = audiences.Any(a => target.ExpectedAudiences.Contains(a, StringComparer.OrdinalIgnoreCase));
        string[] missing = roles.Contains(target.RequiredRole, StringComparer.Ordinal) ? [] : [target.RequiredRole];

        var problems = new List<string>();
        if (!audienceMatches)
        {
            problems.Add($"The token's audience ({string.Join(", ", audiences)}) is not {target.DisplayName}'s ({string.Join(" or ", target.ExpectedAudiences)}): " +
                $"the app requests {target.Scope}; check that scope and the API's expected audience.");
        }

        if (missing.Length > 0)
        {
            // A developer's own sign-in (the Azure CLI, Visual Studio) gives a user token: delegated permissions, no application role.
            problems.Add(claims.ContainsKey("scp") ? $"This is a user's token (scp: delegated permissions) from a developer sign-in such as the Azure CLI; application roles such as " +
                $"{target.RequiredRole} come only with an application identity: the managed identity in Azure, locally a service principal (AZURE_CLIENT_ID and a secret or certificate)."
                : (roles.Length == 0
                ? $"The token has no roles claim: the identity holds no application role on {target.DisplayName}. "
                : $"The token lacks the role {target.RequiredRole} on {target.DisplayName}. ") +
                $"Assign {target.RequiredRole} with {target.AssignHint}; tokens issued before that lack it until they expire (up to 24 hours: the platform caches them, restarting the app does not renew them).");
        }

        var expiresIn = (int)Math.Max(0, (token.ExpiresOn - DateTimeOffset.UtcNow).TotalSeconds);
        return new TokenReport(target.Name, target.Scope, header, claims,
            new TokenVerdict(problems.Count == 0, audienceMatches, target.ExpectedAudiences, [target.RequiredRole], missing, token.ExpiresOn, expiresIn, problems));
    }
}
