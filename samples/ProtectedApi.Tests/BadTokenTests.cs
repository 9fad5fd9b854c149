using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ProtectedApi.Tests;

/// <summary>
/// Every way a token can be wrong, each refused with the right status; and the right tokens accepted. Tokens that
/// are correctly signed but wrong in one claim are signed with the emulator's tenant key, so only that claim can be
/// the reason for the refusal.
/// </summary>
public sealed class BadTokenTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string Orders = "/api/orders";

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["no token"] = new(Minted(_ => null), 401),
        ["malformed"] = new(Minted(_ => "not-a-jwt"), 401),
        ["alg none"] = new(Minted(s => Unsigned(s.ValidClaims("Api.Read"), """{"alg":"none","typ":"JWT"}""")), 401),
        ["HS256 signed with the public key"] = new(Minted(s => HmacWithPublicKey(s)), 401),
        ["tampered payload"] = new(Minted(s => Tampered(s)), 401),
        ["signature stripped"] = new(Minted(s => Stripped(s.Sign(s.ValidClaims("Api.Read")))), 401),
        ["unknown kid"] = new(Minted(s => s.Sign(s.ValidClaims("Api.Read"), keyId: "kid-the-tenant-never-published")), 401),
        ["signed by another key"] = new(Minted(s => SignedByAnotherKey(s)), 401),
        ["expired"] = new(Minted(s => s.Sign(With(s.ValidClaims("Api.Read"), ("exp", Seconds(-10)), ("nbf", Seconds(-70)), ("iat", Seconds(-65))))), 401),
        ["nbf in the future"] = new(Minted(s => s.Sign(With(s.ValidClaims("Api.Read"), ("nbf", Seconds(+10))))), 401),
        ["wrong aud"] = new(Minted(s => s.Sign(With(s.ValidClaims("Api.Read"), ("aud", Guid.NewGuid().ToString())))), 401),
        ["a Graph token"] = new(Issued("https://graph.microsoft.com"), 401),
        ["wrong iss"] = new(Minted(s => s.Sign(With(s.ValidClaims("Api.Read"), ("iss", $"https://login.example.com/{s.Tenant.TenantId}/v2.0")))), 401),
        ["another tenant"] = new(Minted(s => AnotherTenant(s)), 401),
        ["no roles claim"] = new(Minted(s => s.Sign(s.ValidClaims())), 403),
        ["wrong role"] = new(Minted(s => s.Sign(s.ValidClaims("Api.Admin"))), 403),
        ["read role on the write endpoint"] = new(Minted(s => s.Sign(s.ValidClaims("Api.Read"))), 403, HttpMethod.Post),
        ["write role on a read endpoint"] = new(Minted(s => s.Sign(s.ValidClaims("Api.Write"))), 403),
        ["roles as one space-separated string"] = new(Minted(s => s.Sign(With(s.ValidClaims(), ("roles", "Api.Write Api.Read")))), 403),
        ["delegated token with scp and no role"] = new(Minted(s => Delegated(s)), 403),
        ["delegated token with scp and the role"] = new(Minted(s => Delegated(s, "Api.Read")), 403),
    };

    private static readonly Dictionary<string, Case> Accepted = new()
    {
        ["issued by the managed-identity endpoint"] = new(Issued(null), 200),
        ["v2.0 with the read role"] = new(Minted(s => s.Sign(s.ValidClaims("Api.Read"))), 200),
        ["v1.0 with App ID URI audience"] = new(Minted(s => s.Sign(With(s.ValidClaims("Api.Read"), ("aud", s.Tenant.ApiAppIdUri), ("iss", $"https://sts.windows.net/{s.Tenant.TenantId}/"), ("ver", "1.0")))), 200),
        ["several roles including the one required"] = new(Minted(s => s.Sign(s.ValidClaims("Api.Admin", "Api.Read"))), 200),
        ["write role on the write endpoint"] = new(Minted(s => s.Sign(s.ValidClaims("Api.Write"))), 201, HttpMethod.Post),
        ["app-only token without idtyp (oid equals sub)"] = new(Minted(s => s.Sign(Without(s.ValidClaims("Api.Read"), "idtyp"))), 200),
    };

    public static TheoryData<string> BadCases => [.. Cases.Keys];

    public static TheoryData<string> GoodCases => [.. Accepted.Keys];

    [Theory]
    [MemberData(nameof(BadCases))]
    public async Task Request_WithBadToken_IsRefused(string name)
    {
        var @case = Cases[name];

        using var response = await fixture.Scenario.SendAsync(@case.Method ?? HttpMethod.Get, Orders, await @case.Token(fixture.Scenario));

        Assert.Equal((HttpStatusCode)@case.Status, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        if (@case.Status == 401)
        {
            Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
            Assert.True(name == "no token" || challenge.Contains("error=\"invalid_token\"", StringComparison.Ordinal), challenge);
        }
        else
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(403, problem.RootElement.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
        }
    }

    [Theory]
    [MemberData(nameof(GoodCases))]
    public async Task Request_WithValidToken_IsAccepted(string name)
    {
        var @case = Accepted[name];

        using var response = await fixture.Scenario.SendAsync(@case.Method ?? HttpMethod.Get, Orders, await @case.Token(fixture.Scenario));

        Assert.Equal((HttpStatusCode)@case.Status, response.StatusCode);
    }

    [Fact]
    public async Task Forbidden_NamesTheMissingRole()
    {
        using var response = await fixture.Scenario.SendAsync(HttpMethod.Post, Orders, fixture.Scenario.Sign(fixture.Scenario.ValidClaims("Api.Read")));

        Assert.Contains("Api.Write", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // The second request of each pair is answered from the validated-token cache: authorization must still run on it.
    [Fact]
    public async Task RepeatedToken_IsAuthorizedOnEveryRequest()
    {
        var readOnly = fixture.Scenario.Sign(fixture.Scenario.ValidClaims("Api.Read"));
        var statuses = new List<HttpStatusCode>();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Get, HttpMethod.Post })
        {
            using var response = await fixture.Scenario.SendAsync(method, Orders, readOnly);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.Forbidden], statuses);
    }

    [Fact]
    public async Task Unauthorized_ChallengeSaysWhatFailed()
    {
        var expired = fixture.Scenario.Sign(With(fixture.Scenario.ValidClaims("Api.Read"), ("exp", Seconds(-10)), ("nbf", Seconds(-70))));

        using var response = await fixture.Scenario.SendAsync(HttpMethod.Get, Orders, expired);

        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_IsAnonymous()
    {
        using var response = await fixture.Scenario.SendAsync(HttpMethod.Get, "/health", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static long Seconds(int minutesFromNow) => DateTimeOffset.UtcNow.AddMinutes(minutesFromNow).ToUnixTimeSeconds();

    private static Dictionary<string, object> With(Dictionary<string, object> claims, params (string Name, object Value)[] changes)
    {
        foreach (var (name, value) in changes)
        {
            claims[name] = value;
        }

        return claims;
    }

    private static Dictionary<string, object> Without(Dictionary<string, object> claims, string name)
    {
        claims.Remove(name);
        return claims;
    }

    private static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    private static string Unsigned(Dictionary<string, object> claims, string header) =>
        $"{Encode(header)}.{Encode(JsonSerializer.Serialize(claims))}.";

    private static string Stripped(string token) => token[..(token.LastIndexOf('.') + 1)];

    private static string Tampered(ApiScenario s)
    {
        var parts = s.Sign(s.ValidClaims("Api.Read")).Split('.');
        var escalated = JsonSerializer.Serialize(With(s.ValidClaims("Api.Read", "Api.Write")));
        return $"{parts[0]}.{Encode(escalated)}.{parts[2]}";
    }

    // The classic key-confusion attack: HMAC-sign with the public key, hoping the validator uses it as a shared secret.
    private static string HmacWithPublicKey(ApiScenario s)
    {
        var publicKey = Encoding.UTF8.GetBytes(s.Emulator.State.Keys.Key.Rsa.ExportSubjectPublicKeyInfoPem());
        var header = Encode($$"""{"alg":"HS256","typ":"JWT","kid":"{{s.KeyId}}"}""");
        var payload = Encode(JsonSerializer.Serialize(s.ValidClaims("Api.Read")));
        var signature = Base64UrlEncoder.Encode(HMACSHA256.HashData(publicKey, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static string SignedByAnotherKey(ApiScenario s)
    {
        using var rsa = RSA.Create(2048);
        var credentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = s.KeyId }, SecurityAlgorithms.RsaSha256);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor { Claims = s.ValidClaims("Api.Read"), SigningCredentials = credentials });
    }

    private static string AnotherTenant(ApiScenario s)
    {
        var other = Guid.NewGuid();
        return s.Sign(With(s.ValidClaims("Api.Read"), ("iss", $"https://login.microsoftonline.com/{other}/v2.0"), ("tid", other.ToString())));
    }

    // What a web app calling on behalf of a signed-in user sends: scp, the user as subject, no idtyp=app.
    private static string Delegated(ApiScenario s, params string[] roles)
    {
        var claims = Without(s.ValidClaims(roles), "idtyp");
        claims["scp"] = "Orders.Read";
        claims["sub"] = Guid.NewGuid().ToString();
        claims["oid"] = Guid.NewGuid().ToString();
        return s.Sign(claims);
    }

    private static Func<ApiScenario, Task<string?>> Minted(Func<ApiScenario, string?> mint) => s => Task.FromResult(mint(s));

    private static Func<ApiScenario, Task<string?>> Issued(string? resource) => async s => await s.IssuedTokenAsync(resource);

    private sealed record Case(Func<ApiScenario, Task<string?>> Token, int Status, HttpMethod? Method = null);
}
