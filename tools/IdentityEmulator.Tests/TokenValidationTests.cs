using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using TestSupport;

namespace IdentityEmulator.Tests;

/// <summary>
/// Microsoft.IdentityModel validating emulator tokens from the emulator's OpenID Connect metadata, the way an API
/// validates Entra tokens: only the metadata address differs from production.
/// </summary>
public sealed class TokenValidationTests
{
    [Fact]
    public async Task V2Token_ValidatesAgainstV2MetadataWithIssuerAndAudience()
    {
        var tenant = new TestTenant();
        tenant.AssignApiToSystem(tenant.ApiReadRoleId);
        await using var emulator = await tenant.StartAsync();
        var token = await EmulatorHttp.TokenAsync(emulator, tenant.ApiAppIdUri);

        var result = await ValidateAsync(emulator.OpenIdConfigurationV2, token, tenant.ApiAppId.ToString());

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal($"https://login.microsoftonline.com/{tenant.TenantId}/v2.0", result.Issuer);
        Assert.Equal("Api.Read", result.Claims["roles"].ToString());
    }

    [Fact]
    public async Task V1Token_ValidatesAgainstV1MetadataWithStsIssuer()
    {
        var tenant = new TestTenant { ApiTokenVersion = 1 };
        await using var emulator = await tenant.StartAsync();
        var token = await EmulatorHttp.TokenAsync(emulator, tenant.ApiAppIdUri);

        var result = await ValidateAsync(emulator.OpenIdConfigurationV1, token, tenant.ApiAppIdUri);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal($"https://sts.windows.net/{tenant.TenantId}/", result.Issuer);
    }

    [Fact]
    public async Task Token_WithWrongAudience_IsRejected()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        var graphToken = await EmulatorHttp.TokenAsync(emulator, "https://graph.microsoft.com");

        var result = await ValidateAsync(emulator.OpenIdConfigurationV2, graphToken, tenant.ApiAppId.ToString());

        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenInvalidAudienceException>(result.Exception);
    }

    [Fact]
    public async Task Token_FromAnotherEmulatorRun_FailsSignatureValidation()
    {
        var tenant = new TestTenant();
        // Without a key file each run makes a key of its own, as the emulator does by default.
        await using var first = await tenant.StartAsync(o => o with { KeyFile = null });
        await using var second = await tenant.StartAsync(o => o with { KeyFile = null });
        var tokenFromFirst = await EmulatorHttp.TokenAsync(first, tenant.ApiAppIdUri);

        var result = await ValidateAsync(second.OpenIdConfigurationV2, tokenFromFirst, tenant.ApiAppId.ToString());

        Assert.False(result.IsValid);
        Assert.IsAssignableFrom<SecurityTokenSignatureKeyNotFoundException>(result.Exception);
    }

    [Fact]
    public async Task KeyFile_KeepsSigningKeyAcrossRestarts()
    {
        var tenant = new TestTenant();
        var keyFile = Path.Combine(Path.GetTempPath(), $"emulator-key-{Guid.NewGuid()}.pem");
        try
        {
            string token;
            await using (var first = await tenant.StartAsync(o => o with { KeyFile = keyFile }))
            {
                token = await EmulatorHttp.TokenAsync(first, tenant.ApiAppIdUri);
            }

            await using var restarted = await tenant.StartAsync(o => o with { KeyFile = keyFile });
            var result = await ValidateAsync(restarted.OpenIdConfigurationV2, token, tenant.ApiAppId.ToString());

            Assert.True(result.IsValid, result.Exception?.Message);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(keyFile), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task Metadata_ForUnknownTenant_Returns400WithAadsts90002()
    {
        await using var emulator = await new TestTenant().StartAsync();

        using var response = await EmulatorHttp.Client.GetAsync(new Uri(emulator.BaseAddress, $"{Guid.NewGuid()}/v2.0/.well-known/openid-configuration"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("AADSTS90002", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<TokenValidationResult> ValidateAsync(Uri metadataAddress, string token, string audience)
    {
        // The emulator is plain HTTP on loopback; against Entra the retriever keeps requiring HTTPS.
        var configurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
            metadataAddress.ToString(), new OpenIdConnectConfigurationRetriever(), new HttpDocumentRetriever { RequireHttps = false });
        var configuration = await configurationManager.GetConfigurationAsync(CancellationToken.None);
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
    }
}
