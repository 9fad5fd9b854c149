using FunctionApp.Functions;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace FunctionApp.Tests;

[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class GetTokenClaimsTests
{
    [Fact]
    public async Task Run_WhenRoleIsPresent_ReturnsClaimsAndHealthyVerdictWithoutTheToken()
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant.AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id));

        var answer = await app.InvokeAsync(app.Function<GetTokenClaims>().Run, "?target=graph");

        Assert.Equal(200, answer.Status);
        var json = answer.Json;
        Assert.Equal("RS256", json.GetProperty("header").GetProperty("alg").GetString());
        Assert.Equal("https://graph.microsoft.com", json.GetProperty("claims").GetProperty("aud").GetString());
        Assert.Equal(tenant.UserAssignedObjectId.ToString(), json.GetProperty("claims").GetProperty("oid").GetString());
        Assert.Equal(["User.Read.All"], json.GetProperty("claims").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var verdict = json.GetProperty("verdict");
        Assert.True(verdict.GetProperty("ok").GetBoolean());
        Assert.True(verdict.GetProperty("audienceMatches").GetBoolean());
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
        Assert.Equal(["User.Read.All"], verdict.GetProperty("missingRoles").EnumerateArray().Select(r => r.GetString()));
        var problem = Assert.Single(verdict.GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.Contains("no roles claim", problem, StringComparison.Ordinal);
        Assert.Contains("restarting the app does not renew them", problem, StringComparison.Ordinal);
        Assert.False(answer.Json.GetProperty("claims").TryGetProperty("roles", out _));
    }

    [Fact]
    public async Task Run_WhenScopeIsAnotherApisResource_VerdictReportsWrongAudience()
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant, new Dictionary<string, string?> { ["Graph:Scope"] = tenant.ApiAppIdUri + "/.default" });

        var answer = await app.InvokeAsync(app.Function<GetTokenClaims>().Run, "?target=graph");

        var verdict = answer.Json.GetProperty("verdict");
        Assert.False(verdict.GetProperty("audienceMatches").GetBoolean());
        Assert.Contains(verdict.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("audience", StringComparison.Ordinal));
    }
}
