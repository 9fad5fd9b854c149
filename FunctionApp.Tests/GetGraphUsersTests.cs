using FunctionApp.Functions;
using IdentityEmulator.Faults;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace FunctionApp.Tests;

/// <summary>GET /api/graph/users through the real credential, Graph SDK and HTTP stack against the emulator.</summary>
[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class GetGraphUsersTests
{
    private const string GraphResource = "https://graph.microsoft.com";

    [Fact]
    public async Task Run_WithTopAndSelect_ReturnsOnlySelectedFieldsOfOnePage()
    {
        await using var app = await StartWithUserReadAllAsync(new TestTenant { UserCount = 10 });

        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "?top=3&select=displayName,mail");

        Assert.Equal(200, answer.Status);
        var users = answer.Json.GetProperty("users").EnumerateArray().ToList();
        Assert.Equal(3, users.Count);
        Assert.All(users, u => Assert.Equal(["displayName", "mail"], u.EnumerateObject().Select(p => p.Name)));
        Assert.True(answer.Json.GetProperty("nextPageAvailable").GetBoolean());
        Assert.False(answer.HasToken);
    }

    // The only test in this assembly that asks for a Graph token as the system-assigned identity: MSAL caches it
    // process-wide, and a second emulator would not accept a token the first one signed.
    [Fact]
    public async Task Run_WithDefaultSystemAssignedIdentity_ReturnsUsers()
    {
        var tenant = new TestTenant();
        tenant.Assign(tenant.SystemObjectId, tenant.GraphServicePrincipalId, MicrosoftGraph.UserReadAll.Id);
        var systemAssigned = new Dictionary<string, string?> { ["Identity__UserAssignedClientId"] = null };
        await using var app = await TestApp.StartAsync(tenant, systemAssigned);

        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "");

        Assert.Equal(200, answer.Status);
        Assert.Equal(5, answer.Json.GetProperty("users").GetArrayLength());
        Assert.Contains(app.Logs.WithEventId(1000), l => l.Text.Contains("ManagedIdentityCredential (system-assigned)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WithPages_FollowsNextLinkUntilTheLastPage()
    {
        await using var app = await StartWithUserReadAllAsync(new TestTenant { UserCount = 25 });

        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "?top=10&pages=5");

        Assert.Equal(200, answer.Status);
        Assert.Equal(25, answer.Json.GetProperty("users").GetArrayLength());
        Assert.Equal(3, answer.Json.GetProperty("pages").GetInt32());
        Assert.False(answer.Json.GetProperty("nextPageAvailable").GetBoolean());
        Assert.Equal(3, app.Emulator.RequestCount("graph", "/v1.0/users"));
    }

    [Fact]
    public async Task Run_WithDisplayNamePrefix_ReturnsOnlyMatchingUsers()
    {
        await using var app = await StartWithUserReadAllAsync(new TestTenant { UserCount = 9 });

        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "?displayNamePrefix=Alex&select=displayName");

        var names = answer.Json.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("displayName").GetString()).ToList();
        Assert.Equal(4, names.Count);
        Assert.All(names, n => Assert.StartsWith("Alex", n, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("O'Brien")]
    [InlineData("Dr. Maximilian Alexander von Habsburg-Lothringen-Wittelsbach, Ph")] // 64 characters, the longest allowed
    public async Task Run_WithPrefixWithAQuoteOrOfTheLongestLength_FindsTheUserWhoseNameStartsWithIt(string prefix)
    {
        var tenant = new TestTenant { UserDisplayNames = ["O'Brien Ann", "OBrien Bo", "Dr. Maximilian Alexander von Habsburg-Lothringen-Wittelsbach, PhD, MBA"] };
        await using var app = await StartWithUserReadAllAsync(tenant);

        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "?select=displayName&displayNamePrefix=" + Uri.EscapeDataString(prefix));

        Assert.Equal(200, answer.Status);
        var user = Assert.Single(answer.Json.GetProperty("users").EnumerateArray());
        Assert.StartsWith(prefix, user.GetProperty("displayName").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithTheLargestTopAndPagesAndAFunctionKey_ReturnsEveryUser()
    {
        await using var app = await StartWithUserReadAllAsync(new TestTenant());

        // Azure passes the function key on as ?code=; the function must not take it for an unknown parameter.
        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "?code=the-function-key&top=999&pages=10");

        Assert.Equal(200, answer.Status);
        Assert.Equal(5, answer.Json.GetProperty("users").GetArrayLength());
    }

    [Fact]
    public async Task Run_WithASelectListSpacedRepeatedOrInAnotherCase_SelectsEachFieldOnce()
    {
        await using var app = await StartWithUserReadAllAsync(new TestTenant());

        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "?select=id,%20MAIL,,id");

        Assert.Equal(200, answer.Status);
        Assert.All(answer.Json.GetProperty("users").EnumerateArray(), u => Assert.Equal(["id", "mail"], u.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task Run_WhenIdentityLacksUserReadAll_Returns502WithRoleAndCacheHint()
    {
        await using var app = await TestApp.StartAsync(new TestTenant());

        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "");

        Assert.Equal(502, answer.Status);
        var detail = answer.Json.GetProperty("detail").GetString()!;
        Assert.Contains("lacks the application permission User.Read.All on Microsoft Graph", detail, StringComparison.Ordinal);
        Assert.Contains("infra/main.bicep", detail, StringComparison.Ordinal);
        Assert.Contains("restarting the app does not renew them", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenScopeNamesUnknownResource_Returns503WithAadsts500011Hint()
    {
        var unknown = $"api://{Guid.NewGuid()}";
        var scope = new Dictionary<string, string?> { ["Graph__Scope"] = unknown + "/.default" };
        await using var app = await TestApp.StartAsync(new TestTenant(), scope);

        var answer = await app.InvokeAsync(app.Function<GetGraphUsers>().Run, "");

        Assert.Equal(503, answer.Status);
        var detail = answer.Json.GetProperty("detail").GetString()!;
        Assert.Contains("AADSTS500011", detail, StringComparison.Ordinal);
        Assert.Contains(unknown, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenTheCallerGivesUpWhileGraphHangs_EndsAsACancellationNotATimeout()
    {
        await using var app = await StartWithUserReadAllAsync(new TestTenant());
        app.Emulator.AddFault(new FaultRule { Endpoint = "graph", LatencyMs = 60_000 });
        using var caller = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => app.InvokeAsync(app.Function<GetGraphUsers>().Run, "", caller.Token));

        Assert.Empty(app.Logs.WithEventId(2000));
    }

    [Fact]
    public async Task Run_ConcurrentColdInvocations_MakeExactlyOneIdentityRequestPerResource()
    {
        await using var app = await StartWithUserReadAllAsync(new TestTenant());
        // A slow identity endpoint widens the window in which every invocation finds the cache empty.
        app.Emulator.AddFault(new FaultRule { Endpoint = "managedIdentity", LatencyMs = 200 });
        var function = app.Function<GetGraphUsers>();

        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => app.InvokeAsync(function.Run, "?top=1")));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(1, app.Emulator.RequestCount("managedIdentity"));
        Assert.Equal(1, app.Emulator.RequestCount("managedIdentity", GraphResource));
        Assert.Equal(32, app.Emulator.RequestCount("graph", "/v1.0/users"));
    }

    private static Task<TestApp> StartWithUserReadAllAsync(TestTenant tenant, IDictionary<string, string?>? settings = null) =>
        TestApp.StartAsync(tenant.AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id), settings);
}
