using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentityEmulator.Faults;
using TestSupport;

namespace IdentityEmulator.Tests;

/// <summary>The wire-level answers of the managed-identity endpoints and the admin API.</summary>
public sealed class ProtocolTests
{
    [Fact]
    public async Task AppService_WithoutIdentityHeader_Returns401InPlatformShape()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();

        using var missing = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri, header: null);
        using var wrong = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri, header: "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var body = await EmulatorHttp.JsonAsync(missing);
        Assert.Equal(401, body.GetProperty("statusCode").GetInt32());
        Assert.Contains("X-IDENTITY-HEADER", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(body.GetProperty("correlationId").GetString(), out _));
    }

    [Fact]
    public async Task AppService_SuccessResponse_HasPlatformFieldsWithExpiresOnAsEpochString()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();

        using var response = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri, query: $"&principal_id={tenant.UserAssignedObjectId}");

        var body = await EmulatorHttp.JsonAsync(response);
        Assert.Equal(JsonValueKind.String, body.GetProperty("expires_on").ValueKind);
        Assert.InRange(long.Parse(body.GetProperty("expires_on").GetString()!, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 86_000, 86_500);
        Assert.Equal(tenant.ApiAppIdUri, body.GetProperty("resource").GetString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(tenant.UserAssignedClientId.ToString(), body.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task AppService_UnsupportedApiVersion_Returns400()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{emulator.IdentityEndpoint}?api-version=2017-09-01&resource={tenant.ApiAppIdUri}");
        request.Headers.Add("X-IDENTITY-HEADER", emulator.IdentityHeader);

        using var response = await EmulatorHttp.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("2019-08-01", (await EmulatorHttp.JsonAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Imds_WithoutMetadataHeader_Returns400AndWithItIssuesToken()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        var url = new Uri(emulator.BaseAddress, $"metadata/identity/oauth2/token?api-version=2018-02-01&resource={tenant.ApiAppIdUri}&client_id={tenant.UserAssignedClientId}");
        using var withHeader = new HttpRequestMessage(HttpMethod.Get, url);
        withHeader.Headers.Add("Metadata", "true");

        using var refused = await EmulatorHttp.Client.GetAsync(url);
        using var issued = await EmulatorHttp.Client.SendAsync(withHeader);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Required metadata header not specified", (await EmulatorHttp.JsonAsync(refused)).GetProperty("error_description").GetString());
        var body = await EmulatorHttp.JsonAsync(issued);
        Assert.Equal("86400", body.GetProperty("expires_in").GetString());
        Assert.Equal(tenant.UserAssignedClientId.ToString(), body.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task Imds_UnknownIdentity_Returns400IdentityNotFound()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(emulator.BaseAddress, $"metadata/identity/oauth2/token?api-version=2018-02-01&resource={tenant.ApiAppIdUri}&client_id={Guid.NewGuid()}"));
        request.Headers.Add("Metadata", "true");

        using var response = await EmulatorHttp.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Identity not found", (await EmulatorHttp.JsonAsync(response)).GetProperty("error_description").GetString());
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("{0}/.default")]
    [InlineData("{1}")]
    [InlineData("{1}/.default")]
    public async Task TokenRequest_ResourceByAppIdUriOrAppIdWithOrWithoutDefaultSuffix_Resolves(string pattern)
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();

        var token = await EmulatorHttp.TokenAsync(emulator, string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, tenant.ApiAppIdUri, tenant.ApiAppId));

        Assert.Equal(tenant.ApiAppId.ToString(), Jwt.Read(token).GetClaim("aud").Value);
    }

    [Fact]
    public async Task GraphToken_HasGraphAudienceAndV1IssuerWhateverTheRequestedForm()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();

        var byUri = Jwt.Read(await EmulatorHttp.TokenAsync(emulator, "https://graph.microsoft.com/"));
        var byAppId = Jwt.Read(await EmulatorHttp.TokenAsync(emulator, "00000003-0000-0000-c000-000000000000"));

        Assert.All(new[] { byUri, byAppId }, t => Assert.Equal("https://graph.microsoft.com", t.GetClaim("aud").Value));
        Assert.All(new[] { byUri, byAppId }, t => Assert.Equal($"https://sts.windows.net/{tenant.TenantId}/", t.Issuer));
    }

    [Fact]
    public async Task DroppedConnectionFault_EndsResponsePrematurely()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        emulator.AddFault(new FaultRule { Endpoint = "managedIdentity", Sequence = [new FaultStep { Fault = FaultKind.Drop }] });

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri);
            await response.Content.ReadAsStringAsync();
        });

        Assert.True(error is HttpRequestException or IOException, error.GetType().FullName);
    }

    [Fact]
    public async Task OversizedBodyFault_AnswersMoreThanTwoMegabytesThatAreNotJson()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        using var added = await EmulatorHttp.Client.PostAsync(new Uri(emulator.BaseAddress, "_emulator/faults"), new StringContent(
            """{ "endpoint": "managedIdentity", "sequence": [ { "fault": "oversizedBody" } ] }""", System.Text.Encoding.UTF8, "application/json"));

        using var response = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.Length > 2 * 1024 * 1024, $"{body.Length} bytes");
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
    }

    [Fact]
    public async Task AdminApi_FaultsAndCounters_RoundTrip()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        var admin = new Uri(emulator.BaseAddress, "_emulator/");
        var rule = """{ "endpoint": "managedIdentity", "latencyMs": 5, "sequence": [ { "status": 503, "retryAfterSeconds": 2 }, { "fault": "malformedJson" } ] }""";

        using var added = await EmulatorHttp.Client.PostAsync(new Uri(admin, "faults"), new StringContent(rule, System.Text.Encoding.UTF8, "application/json"));
        using var throttled = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri);
        using var malformed = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri);
        using var healthy = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri);
        var counters = await EmulatorHttp.Client.GetFromJsonAsync<JsonElement>(new Uri(admin, "counters"));

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, throttled.StatusCode);
        Assert.Equal("2", throttled.Headers.RetryAfter?.ToString());
        var malformedBody = await malformed.Content.ReadAsStringAsync();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(malformedBody));
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        var count = Assert.Single(counters.EnumerateArray(), c => c.GetProperty("endpoint").GetString() == "managedIdentity");
        Assert.Equal(3, count.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task AdminApi_Index_Returns200ListingAdminRoutes()
    {
        await using var emulator = await new TestTenant().StartAsync();

        using var response = await EmulatorHttp.Client.GetAsync(new Uri(emulator.BaseAddress, "_emulator/"));
        using var withoutSlash = await EmulatorHttp.Client.GetAsync(new Uri(emulator.BaseAddress, "_emulator"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withoutSlash.StatusCode);
        var routes = (await EmulatorHttp.JsonAsync(response)).EnumerateArray().ToList();
        Assert.Contains(routes, r => r.GetProperty("method").GetString() == "POST" && r.GetProperty("path").GetString() == "/_emulator/faults");
        Assert.Contains(routes, r => r.GetProperty("method").GetString() == "GET" && r.GetProperty("path").GetString() == "/_emulator/counters");
        Assert.All(routes, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("description").GetString())));
    }

    [Fact]
    public async Task PlatformTokenCache_ServesTheFirstTokenUntilCleared_SoALaterRoleIsMissing()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        var identity = $"&client_id={tenant.UserAssignedClientId}";
        var first = await EmulatorHttp.TokenAsync(emulator, tenant.ApiAppIdUri, identity);

        emulator.State.Tenant.AddAssignment(tenant.UserAssignedObjectId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
        var again = await EmulatorHttp.TokenAsync(emulator, tenant.ApiAppIdUri, identity);
        var otherUri = await EmulatorHttp.TokenAsync(emulator, tenant.ApiAppId.ToString(), identity);
        using var cleared = await EmulatorHttp.Client.DeleteAsync(new Uri(emulator.BaseAddress, "_emulator/token-cache"));
        var afterClear = await EmulatorHttp.TokenAsync(emulator, tenant.ApiAppIdUri, identity);

        // What a restarted app meets in Azure: the same token, issued before the assignment, for the same resource URI.
        Assert.Equal(first, again);
        Assert.Empty(Jwt.Roles(Jwt.Read(again)));
        // The platform caches per resource URI, so another URI for the same API is a token of its own.
        Assert.Equal(["Api.Read"], Jwt.Roles(Jwt.Read(otherUri)));
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Equal(["Api.Read"], Jwt.Roles(Jwt.Read(afterClear)));
    }

    [Fact]
    public async Task PlatformTokenCache_WhenOff_MintsATokenPerRequest()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync(o => o with { PlatformTokenCache = false });
        var identity = $"&client_id={tenant.UserAssignedClientId}";
        var first = await EmulatorHttp.TokenAsync(emulator, tenant.ApiAppIdUri, identity);

        emulator.State.Tenant.AddAssignment(tenant.UserAssignedObjectId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
        var second = await EmulatorHttp.TokenAsync(emulator, tenant.ApiAppIdUri, identity);

        Assert.NotEqual(first, second);
        Assert.Equal(["Api.Read"], Jwt.Roles(Jwt.Read(second)));
    }

    [Fact]
    public async Task AdminApi_InvalidFaultRule_Returns400NamingTheProblem()
    {
        await using var emulator = await new TestTenant().StartAsync();

        using var response = await EmulatorHttp.Client.PostAsync(
            new Uri(emulator.BaseAddress, "_emulator/faults"),
            new StringContent("""{ "endpoint": "keyvault" }""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("keyvault", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureRate_FailsRoughlyThatShareOfRequests()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        emulator.AddFault(new FaultRule { Endpoint = "managedIdentity", FailureRate = 0.5 });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            using var response = await EmulatorHttp.AppServiceTokenAsync(emulator, tenant.ApiAppIdUri);
            statuses.Add(response.StatusCode);
        }

        // Binomial(200, 0.5): outside 60..140 has a probability far below 1e-8.
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.ServiceUnavailable), 60, 140);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable));
    }
}
