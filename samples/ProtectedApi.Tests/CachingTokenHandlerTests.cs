using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ProtectedApi.Authentication;

namespace ProtectedApi.Tests;

/// <summary>
/// The validated-token cache around a real JsonWebTokenHandler and real RS256 tokens: what it may skip (the signature
/// check of a token it has seen) and what it must never skip (expiry, the current signing keys, a stranger's token).
/// </summary>
public sealed class CachingTokenHandlerTests : IDisposable
{
    private const string Issuer = "https://login.microsoftonline.com/7c2e5a1d-3b8f-4e6a-9d21-5f0c8b7a4e13/v2.0";
    private const string Audience = "3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CountingHandler _inner = new();

    public CachingTokenHandlerTests() => _key = new RsaSecurityKey(_rsa) { KeyId = "key-1" };

    public void Dispose() => _rsa.Dispose();

    [Fact]
    public async Task Repeat_OfValidToken_IsAcceptedWithoutValidatingAgain()
    {
        var handler = Handler();
        var token = Token(_key, TimeSpan.FromHours(1));

        var first = await handler.ValidateTokenAsync(token, Parameters(_key));
        var second = await handler.ValidateTokenAsync(token, Parameters(_key));

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal(1, _inner.Calls);
        Assert.Equal("Api.Read", second.ClaimsIdentity.FindFirst("roles")?.Value);
        Assert.Equal(first.SecurityToken.ValidTo, second.SecurityToken.ValidTo);
    }

    [Fact]
    public async Task Claims_AddedByOneRequest_DoNotReachTheNext()
    {
        var handler = Handler();
        var token = Token(_key, TimeSpan.FromHours(1));

        var first = await handler.ValidateTokenAsync(token, Parameters(_key));
        first.ClaimsIdentity.AddClaim(new Claim("roles", "Api.Admin"));
        var second = await handler.ValidateTokenAsync(token, Parameters(_key));
        second.ClaimsIdentity.AddClaim(new Claim("roles", "Api.Write"));
        var third = await handler.ValidateTokenAsync(token, Parameters(_key));

        Assert.Equal(["Api.Read"], third.ClaimsIdentity.FindAll("roles").Select(c => c.Value));
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task Token_PastItsExp_IsValidatedInFullAgain()
    {
        var handler = Handler();
        var token = Token(_key, TimeSpan.FromMinutes(10));
        await handler.ValidateTokenAsync(token, Parameters(_key));

        // Full validation grants five minutes of clock skew past exp; the cache grants none.
        _time.Advance(TimeSpan.FromMinutes(10));
        await handler.ValidateTokenAsync(token, Parameters(_key));

        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task Token_WhoseKeyIsNoLongerPublished_IsRefused()
    {
        var handler = Handler();
        var token = Token(_key, TimeSpan.FromHours(1));
        await handler.ValidateTokenAsync(token, Parameters(_key));
        using var other = RSA.Create(2048);

        var result = await handler.ValidateTokenAsync(token, Parameters(new RsaSecurityKey(other) { KeyId = "key-2" }));

        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenSignatureKeyNotFoundException>(result.Exception);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task RefreshedMetadata_ValidatesEachTokenInFullOnceMore()
    {
        var handler = Handler();
        var token = Token(_key, TimeSpan.FromHours(1));
        var metadata = new SwitchableConfigurationManager(Configuration(_key));
        var parameters = Parameters(null, metadata);
        await handler.ValidateTokenAsync(token, parameters);
        await handler.ValidateTokenAsync(token, parameters);

        // A refresh builds new key objects even when the tenant publishes the same keys.
        metadata.Current = Configuration(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "key-1" });
        var afterRefresh = await handler.ValidateTokenAsync(token, parameters);
        await handler.ValidateTokenAsync(token, parameters);

        Assert.True(afterRefresh.IsValid);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task RefreshedMetadata_WithoutTheKey_LeavesEveryVerdictToFullValidation()
    {
        var handler = Handler();
        var token = Token(_key, TimeSpan.FromHours(1));
        var metadata = new SwitchableConfigurationManager(Configuration(_key));
        await handler.ValidateTokenAsync(token, Parameters(null, metadata));
        using var other = RSA.Create(2048);

        // IdentityModel may still accept the token from its last-known-good metadata (for an hour by default); that is
        // its policy to apply, so the cache must hand every such request to it rather than answer from memory.
        metadata.Current = Configuration(new RsaSecurityKey(other) { KeyId = "key-2" });
        await handler.ValidateTokenAsync(token, Parameters(null, metadata));
        await handler.ValidateTokenAsync(token, Parameters(null, metadata));

        Assert.Equal(3, _inner.Calls);
    }

    [Fact]
    public async Task InvalidToken_IsNeverRemembered()
    {
        var handler = Handler();
        using var other = RSA.Create(2048);
        var forged = Token(new RsaSecurityKey(other) { KeyId = "key-1" }, TimeSpan.FromHours(1));

        var first = await handler.ValidateTokenAsync(forged, Parameters(_key));
        var second = await handler.ValidateTokenAsync(forged, Parameters(_key));

        Assert.False(first.IsValid);
        Assert.False(second.IsValid);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task FullCache_RemembersNewTokensOnlyAfterOthersExpire()
    {
        var handler = Handler(capacity: 1);
        var shortLived = Token(_key, TimeSpan.FromMinutes(5));
        var longLived = Token(_key, TimeSpan.FromHours(1));
        await handler.ValidateTokenAsync(shortLived, Parameters(_key));

        await handler.ValidateTokenAsync(longLived, Parameters(_key));
        await handler.ValidateTokenAsync(longLived, Parameters(_key));
        Assert.Equal(3, _inner.Calls);

        _time.Advance(TimeSpan.FromMinutes(6));
        await handler.ValidateTokenAsync(longLived, Parameters(_key));
        await handler.ValidateTokenAsync(longLived, Parameters(_key));
        Assert.Equal(4, _inner.Calls);
    }

    private CachingTokenHandler Handler(int capacity = 100) => new(_inner, _time, capacity);

    private string Token(SecurityKey key, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = new Dictionary<string, object> { ["roles"] = new[] { "Api.Read" }, ["oid"] = Guid.NewGuid().ToString() },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private static TokenValidationParameters Parameters(SecurityKey? key, BaseConfigurationManager? metadata = null) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKeys = key is null ? null : [key],
        ConfigurationManager = metadata,
        TryAllIssuerSigningKeys = false,
        RoleClaimType = "roles",
    };

    private static OpenIdConnectConfiguration Configuration(SecurityKey key)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(key);
        return configuration;
    }

    /// <summary>The real handler, counting how often it is asked: each call is one full validation.</summary>
    private sealed class CountingHandler : JsonWebTokenHandler
    {
        public int Calls { get; private set; }

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Calls++;
            return base.ValidateTokenAsync(token, validationParameters);
        }
    }

    /// <summary>Metadata whose current document a test replaces, as a scheduled refresh would.</summary>
    private sealed class SwitchableConfigurationManager(OpenIdConnectConfiguration current) : BaseConfigurationManager, IConfigurationManager<OpenIdConnectConfiguration>
    {
        public OpenIdConnectConfiguration Current { get; set; } = current;

        public override Task<BaseConfiguration> GetBaseConfigurationAsync(CancellationToken cancel) => Task.FromResult<BaseConfiguration>(Current);

        public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) => Task.FromResult(Current);

        public override void RequestRefresh()
        {
        }
    }
}
