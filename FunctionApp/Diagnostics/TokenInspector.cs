using System.Globalization;
using Azure.Core;
using FunctionApp.Identity;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionApp.Diagnostics;

/// <summary>
/// Gets the token the app would use for a target and explains it. This replaces pasting tokens into a website:
/// the raw token and its signature never leave the process. A failure to get the token is the credential's
/// <see cref="Problems.DependencyException"/>.
/// </summary>
public sealed class TokenInspector(TokenCredential credential)
{
    public async Task<TokenReport> InspectAsync(TokenTarget target, CancellationToken cancellationToken)
    {
        var token = await credential.GetTokenAsync(new TokenRequestContext([target.Scope]), cancellationToken);
        var jwt = new JsonWebToken(token.Token);
        var claims = ClaimsOf(jwt);
        var header = new TokenHeader(jwt.Alg, jwt.Kid, jwt.Typ);
        return new TokenReport(target.Name, target.Scope, header, claims, Judge(target, jwt, claims, token.ExpiresOn));
    }

    private static TokenClaims ClaimsOf(JsonWebToken jwt) => new()
    {
        Audience = First(jwt, "aud"),
        Issuer = First(jwt, "iss"),
        TenantId = First(jwt, "tid"),
        ObjectId = First(jwt, "oid"),
        AppId = First(jwt, "appid"),
        AuthorizedParty = First(jwt, "azp"),
        IdentityType = First(jwt, "idtyp"),
        Version = First(jwt, "ver"),
        Roles = All(jwt, "roles"),
        Scopes = First(jwt, "scp"),
        ExpiresAt = Seconds(jwt, "exp"),
        NotBefore = Seconds(jwt, "nbf"),
        IssuedAt = Seconds(jwt, "iat"),
        ManagedIdentityResourceId = First(jwt, "xms_mirid"),
    };

    private static TokenVerdict Judge(
        TokenTarget target,
        JsonWebToken jwt,
        TokenClaims claims,
        DateTimeOffset expiresOn)
    {
        var audiences = jwt.Audiences.ToList();
        var expected = target.ExpectedAudiences;
        var audienceMatches = audiences.Any(a => expected.Contains(a, StringComparer.OrdinalIgnoreCase));
        var hasRequiredRole = (claims.Roles ?? []).Contains(target.RequiredRole, StringComparer.Ordinal);

        var problems = new List<string>();
        if (!audienceMatches)
        {
            problems.Add(
                $"The token's audience ({string.Join(", ", audiences)}) is not {target.DisplayName}'s " +
                $"({string.Join(" or ", target.ExpectedAudiences)}): the app requests {target.Scope}; " +
                "check that scope and the API's expected audience.");
        }

        if (!hasRequiredRole)
        {
            problems.Add(MissingRoleProblem(target, claims));
        }

        var expiresIn = (int)Math.Max(0, (expiresOn - DateTimeOffset.UtcNow).TotalSeconds);
        return new TokenVerdict(
            problems.Count == 0,
            audienceMatches,
            target.ExpectedAudiences,
            target.RequiredRole,
            hasRequiredRole,
            expiresOn,
            expiresIn,
            problems);
    }

    private static string MissingRoleProblem(TokenTarget target, TokenClaims claims)
    {
        // A developer's own sign-in (the Azure CLI, Visual Studio) gives a user token: delegated permissions, no
        // application role.
        if (claims.Scopes is not null)
        {
            return "This is a user's token (scp: delegated permissions) from a developer sign-in such as the Azure " +
                $"CLI; application roles such as {target.RequiredRole} come only with an application identity: the " +
                "managed identity in Azure, locally a service principal (AZURE_CLIENT_ID and a secret or certificate).";
        }

        var what = $"The token lacks the role {target.RequiredRole} on {target.DisplayName}.";
        if (claims.Roles is null)
        {
            what = $"The token has no roles claim: the identity holds no application role on {target.DisplayName}.";
        }

        return $"{what} Assign {target.RequiredRole} with {target.AssignHint}; {TokenTarget.StaleTokens}.";
    }

    private static string? First(JsonWebToken jwt, string name) =>
        jwt.Claims.FirstOrDefault(c => c.Type == name)?.Value;

    private static string[]? All(JsonWebToken jwt, string name)
    {
        var values = jwt.Claims.Where(c => c.Type == name).Select(c => c.Value).ToArray();
        return values.Length == 0 ? null : values;
    }

    private static long? Seconds(JsonWebToken jwt, string name)
    {
        if (long.TryParse(First(jwt, name), CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }

        return null;
    }
}
