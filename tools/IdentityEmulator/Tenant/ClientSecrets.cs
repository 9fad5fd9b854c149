using System.Security.Cryptography;
using System.Text;

namespace IdentityEmulator.Tenant;

/// <summary>How the tenant file keeps a client secret: "sha256:" and the base64 SHA-256 of its UTF-8 bytes.</summary>
internal static class ClientSecrets
{
    public const string HashPrefix = "sha256:";

    public static string Hash(string secret) =>
        HashPrefix + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(ClientSecret stored, string presented) =>
        CryptographicOperations.FixedTimeEquals(stored.Sha256, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
