using IdentityEmulator.Tenant;
using IdentityEmulator.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityEmulator.Graph;

/// <summary>
/// Validates the bearer token on a Graph request as Microsoft Graph does for app-only callers: signed by the tenant,
/// meant for Graph, within its lifetime, and holding one of the application permissions the operation accepts.
/// </summary>
internal sealed class GraphAuthorization
{
    // The application permissions that satisfy each operation, least privileged first (Graph's permission tables).
    public static readonly string[] ReadUsers = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    public static readonly string[] ReadServicePrincipals = ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "AppRoleAssignment.ReadWrite.All"];
    public static readonly string[] WriteAppRoleAssignments = ["AppRoleAssignment.ReadWrite.All"];

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
    public async Task<IResult?> AuthorizeAsync(HttpContext context, string[] acceptedPermissions)
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

        var roles = result.Claims.TryGetValue("roles", out var value) ? value switch
        {
            string single => [single],
            IEnumerable<object> many => many.Select(r => r.ToString()!).ToArray(),
            _ => [],
        } : Array.Empty<string>();

        return roles.Intersect(acceptedPermissions, StringComparer.Ordinal).Any() ? null : GraphErrors.Denied();
    }

    private static IResult Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate =
            $"Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"{MicrosoftGraph.AppId}\"";
        return GraphErrors.Error(StatusCodes.Status401Unauthorized, "InvalidAuthenticationToken", message);
    }
}
