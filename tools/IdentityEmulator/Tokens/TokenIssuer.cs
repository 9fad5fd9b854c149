using System.Security.Cryptography;
using IdentityEmulator.Tenant;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityEmulator.Tokens;

/// <summary>An issued access token and when it expires.</summary>
internal sealed record IssuedToken(string AccessToken, DateTimeOffset IssuedAt, DateTimeOffset ExpiresOn);

/// <summary>
/// Who an app-only token is for: a managed identity or an app's service principal.
/// <paramref name="ClientAuthentication"/> is the appidacr/azpacr claim: "1" for a client secret, "2" for a
/// certificate, a federated assertion or a managed identity.
/// </summary>
internal sealed record AppPrincipal(
    Guid ObjectId, Guid ClientId, string ClientAuthentication, string? ManagedIdentityResourceId);

/// <summary>
/// Mints access tokens shaped like Entra's app-only tokens, for managed identities and service principals.
/// </summary>
internal sealed class TokenIssuer(TenantDirectory tenant, SigningKeys keys, TimeProvider time, TimeSpan lifetime)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TimeSpan Lifetime { get; } = lifetime;

    public static string V1Issuer(Guid tenantId) => $"https://sts.windows.net/{tenantId}/";

    public static string V2Issuer(Guid tenantId) => $"https://login.microsoftonline.com/{tenantId}/v2.0";

    public IssuedToken Issue(ManagedIdentity identity, ResolvedResource resource) =>
        Issue(new AppPrincipal(identity.ObjectId, identity.ClientId, "2", identity.ResourceId), resource, Lifetime);

    public IssuedToken Issue(AppPrincipal principal, ResolvedResource resource, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        // Entra back-dates nbf by five minutes to absorb clock skew between it and the resource.
        var notBefore = now.AddMinutes(-5);
        var expires = now.Add(lifetime);
        var tid = tenant.TenantId.ToString();
        var isV2 = resource.TokenVersion == 2;

        var claims = new Dictionary<string, object>
        {
            ["aud"] = resource.Audience,
            ["iss"] = isV2 ? V2Issuer(tenant.TenantId) : V1Issuer(tenant.TenantId),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = notBefore.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["idtyp"] = "app",
            ["oid"] = principal.ObjectId.ToString(),
            ["sub"] = principal.ObjectId.ToString(),
            ["tid"] = tid,
            ["uti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            ["ver"] = isV2 ? "2.0" : "1.0",
        };
        if (principal.ManagedIdentityResourceId is { } mirid)
        {
            claims["xms_mirid"] = mirid;
        }

        if (isV2)
        {
            claims["azp"] = principal.ClientId.ToString();
            claims["azpacr"] = principal.ClientAuthentication;
        }
        else
        {
            claims["appid"] = principal.ClientId.ToString();
            claims["appidacr"] = principal.ClientAuthentication;
            claims["idp"] = V1Issuer(tenant.TenantId);
        }

        // Entra omits the claim altogether when the identity holds no role on the resource; an API must treat a
        // missing roles claim exactly like a missing role.
        var roles = tenant.RolesOf(principal.ObjectId, resource.ServicePrincipal);
        if (roles.Count > 0)
        {
            claims["roles"] = roles.ToArray();
        }

        return new IssuedToken(Sign(claims), now, expires);
    }

    /// <summary>
    /// A user's (delegated) token for a public client such as the Azure CLI: the user's oid and names, the delegated
    /// permissions in scp, appidacr 0, and no roles (the emulator assigns no app roles to users) and no idtyp, which
    /// Entra emits for user tokens only when the API asks for it.
    /// </summary>
    public IssuedToken IssueDelegated(
        User user, Guid clientAppId, ResolvedResource resource, string scopes, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        var isV2 = resource.TokenVersion == 2;
        var claims = new Dictionary<string, object>
        {
            ["aud"] = resource.Audience,
            ["iss"] = isV2 ? V2Issuer(tenant.TenantId) : V1Issuer(tenant.TenantId),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-5).ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
            ["amr"] = new[] { "pwd" },
            ["name"] = user.DisplayName,
            ["oid"] = user.Id.ToString(),
            ["scp"] = scopes,
            // Entra's sub is pairwise: stable for one user and one client app, different for another app.
            ["sub"] = PairwiseSubject(user.Id, clientAppId),
            ["tid"] = tenant.TenantId.ToString(),
            ["uti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            ["ver"] = isV2 ? "2.0" : "1.0",
        };
        // A public client proves nothing about itself: appidacr/azpacr 0.
        if (isV2)
        {
            claims["azp"] = clientAppId.ToString();
            claims["azpacr"] = "0";
            claims["preferred_username"] = user.UserPrincipalName;
        }
        else
        {
            claims["appid"] = clientAppId.ToString();
            claims["appidacr"] = "0";
            claims["upn"] = user.UserPrincipalName;
            claims["unique_name"] = user.UserPrincipalName;
        }

        return new IssuedToken(Sign(claims), now, now.Add(lifetime));
    }

    /// <summary>
    /// Signs arbitrary claims with the tenant's key (optionally under another kid). Tests use it to mint tokens that
    /// are correctly signed but wrong in one claim, which no token endpoint would issue.
    /// </summary>
    internal string Sign(IDictionary<string, object> claims, string? keyId = null) =>
        Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = keyId is null ? keys.Credentials : CredentialsUnderKeyId(keyId),
            TokenType = "JWT",
        });

    private SigningCredentials CredentialsUnderKeyId(string keyId) =>
        new(new RsaSecurityKey(keys.Key.Rsa) { KeyId = keyId }, SecurityAlgorithms.RsaSha256);

    private static string PairwiseSubject(Guid userId, Guid clientAppId) =>
        Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{userId}:{clientAppId}")));
}
