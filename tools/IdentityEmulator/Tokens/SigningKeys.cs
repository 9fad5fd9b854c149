using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace IdentityEmulator.Tokens;

/// <summary>
/// The tenant's token-signing key. Generated per run by default, so tokens from an earlier run stop validating
/// (as after an Entra key rollover); a key file keeps it across restarts.
/// </summary>
internal sealed class SigningKeys : IDisposable
{
    private readonly RSA _rsa;

    private SigningKeys(RSA rsa)
    {
        _rsa = rsa;
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        // A factory of its own: the default one caches a signature provider per key thumbprint for the whole
        // process, and would keep using this RSA instance after Dispose when another emulator in the process
        // loads the same key file.
        Key = new RsaSecurityKey(rsa)
        {
            KeyId = Thumbprint(parameters),
            CryptoProviderFactory = new CryptoProviderFactory(),
        };
        Jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(parameters) { KeyId = Key.KeyId });
        Jwk.Use = "sig";
        Credentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256);
    }

    public RsaSecurityKey Key { get; }

    /// <summary>The public half, as the JWKS endpoint publishes it.</summary>
    public JsonWebKey Jwk { get; }

    public SigningCredentials Credentials { get; }

    public static SigningKeys Generate() => new(RSA.Create(2048));

    /// <summary>Loads a PEM private key, or creates the file with a new key when it does not exist yet.</summary>
    public static SigningKeys FromFile(string path)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            try
            {
                rsa.ImportFromPem(File.ReadAllText(path));
            }
            catch (ArgumentException e)
            {
                rsa.Dispose();
                throw new InvalidDataException($"{path}: not a PEM RSA private key ({e.Message})", e);
            }

            // ImportFromPem takes public keys too; such a key would only fail at the first token it signs.
            try
            {
                rsa.ExportParameters(includePrivateParameters: true);
            }
            catch (CryptographicException e)
            {
                rsa.Dispose();
                throw new InvalidDataException(
                    $"{path}: holds a public key; the emulator needs the PEM RSA private key it signs with", e);
            }

            return new SigningKeys(rsa);
        }

        rsa.KeySize = 2048;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new SigningKeys(rsa);
    }

    public void Dispose() => _rsa.Dispose();

    // RFC 7638 JWK thumbprint: stable for a key, so a kept key file keeps its kid.
    private static string Thumbprint(RSAParameters parameters)
    {
        var exponent = Base64UrlEncoder.Encode(parameters.Exponent);
        var modulus = Base64UrlEncoder.Encode(parameters.Modulus);
        var canonical = $$"""{"e":"{{exponent}}","kty":"RSA","n":"{{modulus}}"}""";
        return Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
    }
}
