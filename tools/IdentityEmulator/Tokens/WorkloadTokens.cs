using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace IdentityEmulator.Tokens;

/// <summary>
/// The emulator as the issuer of workload tokens (what a Kubernetes cluster or GitHub Actions hands a workload):
/// JWTs signed with the emulator's key, which its Entra token endpoint accepts as federated assertions for an app
/// whose federated credential names this issuer, the subject and an audience.
/// </summary>
internal static class WorkloadTokens
{
    /// <summary>
    /// Not a reachable address: the emulator checks these tokens with its own key instead of fetching metadata.
    /// </summary>
    public const string Issuer = "https://oidc.identity-emulator.invalid";

    public const string DefaultAudience = "api://AzureADTokenExchange";

    public static string Mint(TokenIssuer issuer, string subject, string audience, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        return issuer.Sign(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
            ["jti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
        });
    }
}
