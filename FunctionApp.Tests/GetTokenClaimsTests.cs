using FunctionApp.Functions;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace FunctionApp.Tests;

[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class GetTokenClaimsTests
{
    private const string GraphAssignHint = "infra/main.bicep (the Graph app-role assignment) or infra/scripts";

    private const string CachedTokens =
        "tokens issued before that lack it until they expire (up to 24 hours: the platform caches them, restarting the app does not renew them).";

    [Fact]
    public async Task Run_WhenRoleIsPresent_ReturnsClaimsAndHealthyVerdictWithoutTheToken()
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant.AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id));

        var answer = await app.InvokeAsync(app.Function<GetTokenClaims>().Run, "?target=graph");

        Assert.Equal(200, answer.Status);
        var json = answer.Json;
        var header = json.GetProperty("header");
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.NotEmpty(header.GetProperty("kid").GetString()!);
        var claims = json.GetProperty("claims");
        Assert.Equal(
            ["aud", "iss", "tid", "oid", "appid", "idtyp", "ver", "roles", "exp", "nbf", "iat", "xms_mirid"],
            claims.EnumerateObject().Select(c => c.Name));
        Assert.Equal("https://graph.microsoft.com", claims.GetProperty("aud").GetString());
        Assert.Equal($"https://sts.windows.net/{tenant.TenantId}/", claims.GetProperty("iss").GetString());
        Assert.Equal(tenant.UserAssignedObjectId.ToString(), claims.GetProperty("oid").GetString());
        Assert.Equal(tenant.UserAssignedClientId.ToString(), claims.GetProperty("appid").GetString());
        Assert.Equal(["User.Read.All"], claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        // Times are Unix seconds, as in the token, so they can be compared with the verdict's expiry.
        var verdict = json.GetProperty("verdict");
        Assert.Equal(verdict.GetProperty("expiresOn").GetDateTimeOffset().ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        Assert.True(claims.GetProperty("nbf").GetInt64() <= claims.GetProperty("iat").GetInt64());
        Assert.True(verdict.GetProperty("ok").GetBoolean());
        Assert.True(verdict.GetProperty("audienceMatches").GetBoolean());
        Assert.Equal("User.Read.All", verdict.GetProperty("requiredRole").GetString());
        Assert.True(verdict.GetProperty("hasRequiredRole").GetBoolean());
        Assert.Empty(verdict.GetProperty("problems").EnumerateArray());
        Assert.InRange(verdict.GetProperty("expiresInSeconds").GetInt32(), 86_000, 86_400);
        Assert.False(answer.HasToken);
        Assert.DoesNotContain("signature", answer.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Run_WhenRoleIsMissing_VerdictNamesTheRoleAndTheCachedTokenPitfall()
    {
        await using var app = await TestApp.StartAsync(new TestTenant());

        var answer = await app.InvokeAsync(app.Function<GetTokenClaims>().Run, "?target=graph");

        var verdict = answer.Json.GetProperty("verdict");
        Assert.Equal(200, answer.Status);
        Assert.False(verdict.GetProperty("ok").GetBoolean());
        Assert.True(verdict.GetProperty("audienceMatches").GetBoolean());
        Assert.False(verdict.GetProperty("hasRequiredRole").GetBoolean());
        Assert.Equal(
            [$"The token has no roles claim: the identity holds no application role on Microsoft Graph. Assign User.Read.All with {GraphAssignHint}; {CachedTokens}"],
            verdict.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        Assert.False(answer.Json.GetProperty("claims").TryGetProperty("roles", out _));
    }

    [Fact]
    public async Task Run_WhenTheIdentityHoldsAnotherRole_VerdictNamesTheMissingOne()
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant.AssignGraphToUserAssigned(MicrosoftGraph.UserReadWriteAll.Id));

        var answer = await app.InvokeAsync(app.Function<GetTokenClaims>().Run, "?target=graph");

        var verdict = answer.Json.GetProperty("verdict");
        Assert.False(verdict.GetProperty("ok").GetBoolean());
        Assert.Equal(["User.ReadWrite.All"], answer.Json.GetProperty("claims").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(verdict.GetProperty("hasRequiredRole").GetBoolean());
        Assert.Equal(
            [$"The token lacks the role User.Read.All on Microsoft Graph. Assign User.Read.All with {GraphAssignHint}; {CachedTokens}"],
            verdict.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Run_WhenScopeIsAnotherApisResource_VerdictReportsWrongAudience()
    {
        var tenant = new TestTenant();
        var scope = new Dictionary<string, string?> { ["Graph__Scope"] = tenant.ApiAppIdUri + "/.default" };
        await using var app = await TestApp.StartAsync(tenant, scope);

        var answer = await app.InvokeAsync(app.Function<GetTokenClaims>().Run, "?target=graph");

        var verdict = answer.Json.GetProperty("verdict");
        Assert.False(verdict.GetProperty("audienceMatches").GetBoolean());
        Assert.Equal(
            $"The token's audience ({tenant.ApiAppId}) is not Microsoft Graph's ({tenant.ApiAppIdUri} or 00000003-0000-0000-c000-000000000000): " +
            $"the app requests {tenant.ApiAppIdUri}/.default; check that scope and the API's expected audience.",
            verdict.GetProperty("problems")[0].GetString());
    }

    [Fact]
    public async Task Run_ForTheCustomApiWithoutItsRole_ReportsTheV2TokenAndWhereTheRoleIsAssigned()
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant, new Dictionary<string, string?>
        {
            ["CustomApi__BaseUrl"] = "http://127.0.0.1:1",
            ["CustomApi__Scope"] = tenant.ApiAppIdUri + "/.default",
        });

        var answer = await app.InvokeAsync(app.Function<GetTokenClaims>().Run, "?target=protected-api");

        // The API asks for v2.0 tokens: its appId as the audience and azp, not appid, for the caller.
        var claims = answer.Json.GetProperty("claims");
        Assert.Equal(["aud", "iss", "tid", "oid", "azp", "idtyp", "ver", "exp", "nbf", "iat", "xms_mirid"], claims.EnumerateObject().Select(c => c.Name));
        Assert.Equal(tenant.UserAssignedClientId.ToString(), claims.GetProperty("azp").GetString());
        var verdict = answer.Json.GetProperty("verdict");
        Assert.True(verdict.GetProperty("audienceMatches").GetBoolean());
        Assert.Equal([tenant.ApiAppIdUri, tenant.ApiAppId.ToString()], verdict.GetProperty("expectedAudiences").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(
            ["The token has no roles claim: the identity holds no application role on the custom API. " +
                $"Assign Api.Read with infra/main.bicep (the custom API's app-role assignment) or infra/scripts; {CachedTokens}"],
            verdict.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
    }
}
