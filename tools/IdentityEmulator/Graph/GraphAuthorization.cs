using IdentityEmulator.Tenant;
using IdentityEmulator.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityEmulator.Graph;

/// <summary>
/// Validates the bearer token on a Graph request as Microsoft Graph does: signed by the tenant, meant for Graph, within
/// its lifetime, and holding the application (roles) or delegated (scp) permissions the operation requires.
/// </summary>
internal sealed class GraphAuthorization
{
    // The application permissions each operation accepts, least privileged first, from the permission tables of
    // Graph's API reference (user-list, serviceprincipal-list, serviceprincipal-post-approleassignedto): granting an
    // app role also needs a permission that reads applications, and AppRoleAssignment.ReadWrite.All reads none.
    // Delegated permissions (a user's scp) count too, Directory.AccessAsUser.All among them.
    public static readonly Permissions ReadUsers = new(
    [
        "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "User.ReadBasic.All",
        "Directory.AccessAsUser.All",
    ]);

    public static readonly Permissions ReadServicePrincipals = new(
    [
        "Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.Read.All",
        "Directory.ReadWrite.All", "Directory.AccessAsUser.All",
    ]);

    public static readonly Permissions GrantAppRoles = new(
        ["AppRoleAssignment.ReadWrite.All"], ["Application.Read.All", "Directory.Read.All"]);

    public static readonly Permissions RevokeAppRoles = new(["AppRoleAssignment.ReadWrite.All"]);

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;

    public GraphAuthorization(TenantDirectory tenant, SigningKeys keys)
    {
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = TokenIssuer.V1Issuer(tenant.TenantId),
            ValidAudiences = [MicrosoftGraph.Resource, MicrosoftGraph.Resource + "/", MicrosoftGraph.AppId.ToString()],
            IssuerSigningKey = keys.Key,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(5),
        };
    }

    /// <summary>Null when the caller may proceed; otherwise Graph's 401 or 403 answer.</summary>
    public async Task<IResult?> AuthorizeAsync(HttpContext context, Permissions required)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return Unauthorized(context, "Access token is empty.");
        }

        var result = await Handler.ValidateTokenAsync(header["Bearer ".Length..].Trim(), _parameters);
        if (!result.IsValid)
        {
            return Unauthorized(context, result.Exception switch
            {
                SecurityTokenInvalidAudienceException => "Access token validation failure. Invalid audience.",
                SecurityTokenExpiredException => "Lifetime validation failed, the token is expired.",
                SecurityTokenInvalidIssuerException => "Access token validation failure. Invalid issuer.",
                _ => "Access token validation failure.",
            });
        }

        var roles = ReadRoles(result.Claims);

        // A user's token carries delegated permissions in scp; Graph then also checks the user's own directory rights,
        // which every emulated user has.
        var scopes = result.Claims.TryGetValue("scp", out var scp)
            ? scp.ToString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : [];
        return required.AllowedBy([.. roles, .. scopes]) ? null : GraphErrors.Denied();
    }

    // The handler reads a one-role claim as a string and a multi-role claim as a list.
    private static string[] ReadRoles(IDictionary<string, object> claims)
    {
        if (!claims.TryGetValue("roles", out var value))
        {
            return [];
        }

        return value switch
        {
            string single => [single],
            IEnumerable<object> many => many.Select(r => r.ToString()!).ToArray(),
            _ => [],
        };
    }

    private static IResult Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate =
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
            + $"client_id=\"{MicrosoftGraph.AppId}\"";
        return GraphErrors.Error(StatusCodes.Status401Unauthorized, "InvalidAuthenticationToken", message);
    }
}

/// <summary>One of <paramref name="AnyOf"/>, and when given also one of <paramref name="AndAnyOf"/>.</summary>
internal sealed record Permissions(string[] AnyOf, string[]? AndAnyOf = null)
{
    public bool AllowedBy(IReadOnlyCollection<string> roles) =>
        AnyOf.Intersect(roles, StringComparer.Ordinal).Any()
        && (AndAnyOf is null || AndAnyOf.Intersect(roles, StringComparer.Ordinal).Any());
}
