using FunctionApp.Functions;
using TestSupport;

namespace FunctionApp.Tests;

/// <summary>
/// Hostile and malformed requests to every HTTP function: each is answered with a 400 or 404 ProblemDetails that names
/// the problem, before any token is requested. Wrong HTTP methods never reach a function: the host routes only the
/// methods in functions.metadata, which FunctionMetadataTests pins to GET.
/// </summary>
[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class BadInputTests(BadInputTests.AppFixture fixture) : IClassFixture<BadInputTests.AppFixture>
{
    private static readonly string Oversized = new('a', 10_000);
    private static readonly string Name64 = new('x', 64);
    private static readonly string UserFields = "id, displayName, userPrincipalName, mail, givenName, surname, jobTitle, department, officeLocation";

    public static TheoryData<string, string> GraphUsersQueries => new()
    {
        { "?top=0", "top" },
        { "?top=1000", "top" },
        { "?top=-1", "top" },
        { "?top=ten", "top" },
        { "?top=1e3", "top" },
        { "?top=99999999999999999999", "top" },
        { "?top=%20%205", "top" },
        { "?pages=0", "pages" },
        { "?pages=11", "pages" },
        { "?top=1&top=2", "top" },
        { "?select=passwordProfile", "select" },
        { "?select=", "select" },
        { "?select=id;displayName", "select" },
        { "?top=%EF%BC%95", "top" },
        { "?select=id,../../me", "select" },
        { "?displayNamePrefix=%00Alex", "displayNamePrefix" },
        { "?displayNamePrefix=Alex%0D%0ASet-Cookie:x", "displayNamePrefix" },
        { "?displayNamePrefix=" + Oversized, "displayNamePrefix" },
        { "?orderby=displayName", "orderby" },
        { "?%24filter=x", "$filter" },
        { "?select=,", "select" },
        { "?Top=5", "Top" },
    };

    public static TheoryData<string, string> TokenClaimsQueries => new()
    {
        { "", "target" },
        { "?target=", "target" },
        { "?target=keyvault", "target" },
        { "?target=graph&target=graph", "target" },
        { "?target=graph&verbose=true", "verbose" },
        { "?target=%2E%2E%2Fgraph", "target" },
        { "?target=graph%00", "target" },
        { "?target=" + Oversized, "target" },
        { "?target=https://graph.microsoft.com/.default", "target" },
        { "?scope=https://graph.microsoft.com/.default", "scope" },
    };

    // Route values arrive URL-decoded from the host, so an encoded traversal is already "../.." here.
    public static TheoryData<string> UnknownResources => new()
    {
        "customers",
        "ORDERS",
        "orders.json",
        "orders/",
        "..",
        "../../admin",
        "orders/../../admin",
        "orders\0",
        "orders\r\nX-Injected: 1",
        " orders",
        "%2e%2e",
        Oversized,
    };

    public static TheoryData<string, string> CustomResourceQueries => new()
    {
        { "?expand=all", "expand" },
        { "?%00=1", "?" },
        { "?%0D%0A=1", "??" },
    };

    // What each kind of mistake says, word for word: these texts are what a caller reads to fix the request.
    public static TheoryData<string, string, string> GraphUsersMessages => new()
    {
        { "?top=0", "top", "'top' must be a whole number from 1 to 999; got '0'." },
        { "?pages=11", "pages", "'pages' must be a whole number from 1 to 10; got '11'." },
        { "?top=%07", "top", "'top' must be a whole number from 1 to 999; got '?'." },
        { "?displayNamePrefix=" + new string('a', 65), "displayNamePrefix", "'displayNamePrefix' must be 1 to 64 printable characters." },
        { "?select=id,passwordProfile", "select", $"'passwordProfile' is not allowed in 'select'. Allowed: {UserFields}." },
        { "?select=,%20,", "select", $"'select' must list at least one of: {UserFields}." },
        { "?top=1&top=2", "top", "'top' is given 2 times; give it once." },
        { "?filter=Alex", "filter", "Unknown query parameter 'filter'. Allowed: top, select, displayNamePrefix, pages." },
        { "?orderby=displayName", "orderby", "Unknown query parameter 'orderby'. Allowed: top, select, displayNamePrefix, pages." },
        { $"?{Name64}=1", Name64, $"Unknown query parameter '{Name64}'. Allowed: top, select, displayNamePrefix, pages." },
        { $"?{Name64}y=1", Name64 + "…", $"Unknown query parameter '{Name64}…'. Allowed: top, select, displayNamePrefix, pages." },
    };

    [Theory]
    [MemberData(nameof(GraphUsersQueries))]
    public async Task GetGraphUsers_WithBadQuery_Returns400NamingTheParameter(string query, string parameter)
    {
        var answer = await fixture.App.InvokeAsync(fixture.App.Function<GetGraphUsers>().Run, query);

        AssertNamesParameter(answer, parameter);
    }

    [Theory]
    [MemberData(nameof(TokenClaimsQueries))]
    public async Task GetTokenClaims_WithBadQuery_Returns400NamingTheParameter(string query, string parameter)
    {
        var answer = await fixture.App.InvokeAsync(fixture.App.Function<GetTokenClaims>().Run, query);

        AssertNamesParameter(answer, parameter);
    }

    [Theory]
    [MemberData(nameof(UnknownResources))]
    public async Task GetCustomResource_WithResourceNotOnTheAllowList_Returns404ListingTheAllowedOnes(string resource)
    {
        var answer = await fixture.App.InvokeAsync(fixture.App.Function<GetCustomResource>().Run, resource);

        Assert.Equal(404, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal("Unknown resource", answer.Json.GetProperty("title").GetString());
        Assert.Equal("'resource' must be one of: orders, products.", answer.Json.GetProperty("detail").GetString());
        AssertNothingWasCalled();
    }

    [Theory]
    [MemberData(nameof(CustomResourceQueries))]
    public async Task GetCustomResource_WithQueryParameters_Returns400NamingThem(string query, string parameter)
    {
        var answer = await fixture.App.InvokeAsync(fixture.App.Function<GetCustomResource>().Run, "orders", query);

        AssertNamesParameter(answer, parameter);
    }

    [Theory]
    [MemberData(nameof(GraphUsersMessages))]
    public async Task GetGraphUsers_WithBadQuery_SaysWhatIsWrongAndWhatIsAllowed(string query, string parameter, string message)
    {
        var answer = await fixture.App.InvokeAsync(fixture.App.Function<GetGraphUsers>().Run, query);

        Assert.Equal(400, answer.Status);
        Assert.Equal("Invalid request", answer.Json.GetProperty("title").GetString());
        Assert.Equal($"Invalid query parameter(s): {parameter}.", answer.Detail);
        var error = Assert.Single(answer.Json.GetProperty("errors").EnumerateObject());
        Assert.Equal(parameter, error.Name);
        Assert.Equal([message], error.Value.EnumerateArray().Select(m => m.GetString()));
    }

    [Theory]
    [InlineData("?target=keyvault", "'target' must be one of: graph, protected-api.")]
    [InlineData("?target=", "'target' must be 1 to 64 printable characters.")]
    public async Task GetTokenClaims_WithUnknownTarget_ListsTheConfiguredTargets(string query, string message)
    {
        var answer = await fixture.App.InvokeAsync(fixture.App.Function<GetTokenClaims>().Run, query);

        Assert.Equal(400, answer.Status);
        Assert.Equal([message], answer.Json.GetProperty("errors").GetProperty("target").EnumerateArray().Select(m => m.GetString()));
    }

    [Theory]
    [InlineData(5, "Invalid query parameter(s): a, b, c, d, e.")]
    [InlineData(6, "Invalid query parameter(s): a, b, c, d, e and 1 more.")]
    public async Task GetGraphUsers_WithSeveralUnknownParameters_NamesFiveAndCountsTheRest(int count, string detail)
    {
        var query = "?" + string.Join("&", "abcdef".Take(count).Select(name => $"{name}=1"));

        var answer = await fixture.App.InvokeAsync(fixture.App.Function<GetGraphUsers>().Run, query);

        Assert.Equal(detail, answer.Detail);
    }

    [Fact]
    public async Task GetGraphUsers_WithAThousandUnknownParameters_NamesAFewAndCountsTheRest()
    {
        var query = "?" + string.Join("&", Enumerable.Range(0, 1000).Select(i => $"junk{i:D4}{new string('x', 60)}=1"));

        var answer = await fixture.App.InvokeAsync(fixture.App.Function<GetGraphUsers>().Run, query);

        Assert.Equal(400, answer.Status);
        Assert.Equal(5, answer.Json.GetProperty("errors").EnumerateObject().Count());
        Assert.EndsWith(" and 995 more.", answer.Detail, StringComparison.Ordinal);
        Assert.True(answer.Body.Length < 2_000, $"a {answer.Body.Length}-character answer to a {query.Length}-character query");
        AssertNothingWasCalled();
    }

    private void AssertNamesParameter(HttpAnswer answer, string parameter)
    {
        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.True(answer.Json.GetProperty("errors").TryGetProperty(parameter, out var messages), answer.Body);
        Assert.NotEmpty(messages.EnumerateArray());
        Assert.Contains(parameter, answer.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Hostile input is echoed printable and short, in the keys as in the messages.
        var echoed = answer.Json.GetProperty("errors").EnumerateObject()
            .SelectMany(e => e.Value.EnumerateArray().Select(m => m.GetString()!).Append(e.Name))
            .Append(answer.Json.GetProperty("detail").GetString()!);
        Assert.All(echoed, text => Assert.DoesNotContain(text, char.IsControl));
        Assert.True(answer.Body.Length < 2_000, $"a {answer.Body.Length}-character answer echoes too much input");
        AssertNothingWasCalled();
    }

    private void AssertNothingWasCalled()
    {
        Assert.Equal(0, fixture.App.Emulator.RequestCount("managedIdentity"));
        Assert.Equal(0, fixture.App.Emulator.RequestCount("graph"));
    }

    /// <summary>
    /// One app for the whole table, with the custom API configured at an address nothing listens on: bad input must
    /// be turned away before any token or call is attempted.
    /// </summary>
    public sealed class AppFixture : IAsyncLifetime
    {
        internal TestApp App { get; private set; } = null!;

        public async Task InitializeAsync() => App = await TestApp.StartAsync(new TestTenant(), new Dictionary<string, string?>
        {
            ["CustomApi__BaseUrl"] = "http://127.0.0.1:9/",
            ["CustomApi__Scope"] = $"api://{Guid.NewGuid()}/.default",
        });

        public async Task DisposeAsync() => await App.DisposeAsync();
    }
}
