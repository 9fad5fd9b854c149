using System.Net;
using System.Net.Http.Headers;
using IdentityEmulator.Faults;
using IdentityEmulator.Tests.Infrastructure;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TestSupport;

namespace IdentityEmulator.Tests;

/// <summary>
/// Where the emulator's Graph once answered more kindly than Microsoft Graph does, each pinned against Graph's
/// documented behaviour so that code which works here also works against graph.microsoft.com.
/// </summary>
[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class GraphFidelityTests
{
    [Fact]
    public async Task Error_CarriesRequestIdsInInnerErrorAndHeaders_EchoingTheClientRequestId()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant());
        var clientRequestId = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<ODataError>(() =>
            scenario.Graph.Users["nobody@contoso.test"].GetAsync(r => r.Headers.Add("client-request-id", clientRequestId)));

        var inner = error.Error?.InnerError;
        Assert.NotNull(inner);
        Assert.Equal(clientRequestId, inner.ClientRequestId);
        Assert.True(Guid.TryParse(inner.RequestId, out _), $"request-id '{inner.RequestId}'");
        Assert.NotNull(inner.Date);
        Assert.Equal([inner.RequestId], error.ResponseHeaders["request-id"]);
        Assert.Equal([clientRequestId], error.ResponseHeaders["client-request-id"]);
    }

    [Fact]
    public async Task Success_CarriesRequestIdHeaders()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant());
        using var request = await RawRequestAsync(scenario, "users?$top=1");

        using var response = await EmulatorHttp.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = Assert.Single(response.Headers.GetValues("request-id"));
        Assert.True(Guid.TryParse(requestId, out _));
        // Without a client-request-id, Graph answers with one of its own.
        Assert.Equal([requestId], response.Headers.GetValues("client-request-id"));
    }

    [Fact]
    public async Task ServicePrincipal_ByAppIdAlternateKey_IsFoundAndItsAssignmentsListed()
    {
        await using var scenario = await GraphScenario.StartAsync(new TestTenant());
        var (tenant, admin) = (scenario.Tenant, scenario.Admin);
        await admin.ServicePrincipals[tenant.ApiServicePrincipalId.ToString()].AppRoleAssignedTo.PostAsync(
            new AppRoleAssignment { PrincipalId = tenant.SystemObjectId, ResourceId = tenant.ApiServicePrincipalId, AppRoleId = tenant.ApiReadRoleId });

        var api = await admin.ServicePrincipalsWithAppId(tenant.ApiAppId.ToString()).GetAsync();
        // The SDK builds no nested requests on the alternate key; the REST path is documented (serviceprincipal-list-approleassignedto).
        using var holdersRequest = await RawRequestAsync(scenario, $"servicePrincipals(appId='{tenant.ApiAppId}')/appRoleAssignedTo", tenant.AdminClientId);
        using var holders = await EmulatorHttp.Client.SendAsync(holdersRequest);
        var unknown = await Assert.ThrowsAsync<ODataError>(() => admin.ServicePrincipalsWithAppId(Guid.NewGuid().ToString()).GetAsync());

        Assert.Equal(tenant.ApiServicePrincipalId.ToString(), api?.Id);
        var holder = Assert.Single((await EmulatorHttp.JsonAsync(holders)).GetProperty("value").EnumerateArray());
        Assert.Equal(tenant.SystemObjectId.ToString(), holder.GetProperty("principalId").GetString());
        Assert.Equal(404, unknown.ResponseStatusCode);
    }

    [Theory]
    [InlineData("startswith(id,'0')", "id")]
    [InlineData("startswith(department,'Sales')", "department")]
    [InlineData("startswith(displayName,'')", "displayName")]
    [InlineData("displayName eq 'Alex User 002' and startswith(mobilePhone,'1')", "mobilePhone")]
    public async Task Filter_FunctionThePropertyDoesNotSupportOrAnEmptyPrefix_Is400UnsupportedQuery(string filter, string property)
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant());

        var error = await Assert.ThrowsAsync<ODataError>(() => scenario.Graph.Users.GetAsync(r => r.QueryParameters.Filter = filter));

        Assert.Equal((400, "Request_UnsupportedQuery"), (error.ResponseStatusCode, error.Error?.Code));
        Assert.Equal($"Unsupported or invalid query filter clause specified for property '{property}' of resource 'User'.", error.Error?.Message);
    }

    [Fact]
    public async Task OrderBy_SortsBySupportedPropertiesAndRefusesTheOthers()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant { UserCount = 6 });
        var graph = scenario.Graph;

        var descending = await graph.Users.GetAsync(r => r.QueryParameters.Orderby = ["displayName desc"]);
        var byMail = await Assert.ThrowsAsync<ODataError>(() => graph.Users.GetAsync(r => r.QueryParameters.Orderby = ["mail"]));
        // $filter with $orderby is an advanced query: it needs ConsistencyLevel: eventual and $count=true.
        var filteredPlain = await Assert.ThrowsAsync<ODataError>(() => graph.Users.GetAsync(r =>
        {
            r.QueryParameters.Filter = "startswith(displayName,'Alex')";
            r.QueryParameters.Orderby = ["displayName"];
        }));
        var filteredAdvanced = await graph.Users.GetAsync(r =>
        {
            r.QueryParameters.Filter = "startswith(displayName,'Alex')";
            r.QueryParameters.Orderby = ["userPrincipalName desc"];
            r.QueryParameters.Count = true;
            r.Headers.Add("ConsistencyLevel", "eventual");
        });

        Assert.Equal(["Bea User 005", "Bea User 003", "Bea User 001", "Alex User 006", "Alex User 004", "Alex User 002"], descending!.Value!.Select(u => u.DisplayName));
        Assert.Equal((400, "Request_UnsupportedQuery", "Unsupported sort property 'mail' for 'User'."), (byMail.ResponseStatusCode, byMail.Error?.Code, byMail.Error?.Message));
        Assert.Equal((400, "Request_UnsupportedQuery"), (filteredPlain.ResponseStatusCode, filteredPlain.Error?.Code));
        Assert.Equal(["user006@contoso.example", "user004@contoso.example", "user002@contoso.example"], filteredAdvanced!.Value!.Select(u => u.UserPrincipalName));
    }

    [Fact]
    public async Task Search_NeedsConsistencyLevelAndMatchesDisplayNameWords()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant { UserCount = 6 });
        var graph = scenario.Graph;

        var refused = await Assert.ThrowsAsync<ODataError>(() => graph.Users.GetAsync(r => r.QueryParameters.Search = "\"displayName:User\""));
        var found = await graph.Users.GetAsync(r =>
        {
            // A word of the display name, not its start: startswith(displayName,'User') would find no one.
            r.QueryParameters.Search = "\"displayName:User\" AND \"mail:user00\"";
            r.Headers.Add("ConsistencyLevel", "eventual");
        });
        var byWord = await graph.Users.GetAsync(r =>
        {
            r.QueryParameters.Search = "\"displayName:003\" OR \"displayName:005\"";
            r.Headers.Add("ConsistencyLevel", "eventual");
        });

        Assert.Equal((400, "Request_UnsupportedQuery"), (refused.ResponseStatusCode, refused.Error?.Code));
        Assert.Contains("ConsistencyLevel: eventual", refused.Error?.Message, StringComparison.Ordinal);
        Assert.Equal(6, found?.Value?.Count);
        Assert.Equal(["Bea User 003", "Bea User 005"], byWord!.Value!.Select(u => u.DisplayName));
    }

    [Theory]
    [InlineData("users?$skip=2", "Request_BadRequest", "'$skip' is not supported by the service.")]
    [InlineData("users?$expand=manager", "Request_UnsupportedQuery", "$expand")]
    public async Task SkipAndExpand_AreRefusedNotIgnored(string pathAndQuery, string code, string message)
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant());
        using var request = await RawRequestAsync(scenario, pathAndQuery);

        using var response = await EmulatorHttp.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await EmulatorHttp.JsonAsync(response)).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_WithoutAScriptedDelay_StillSendsRetryAfter()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant());
        scenario.Emulator.AddFault(new FaultRule { Endpoint = "graph", Sequence = [new FaultStep { Status = 429 }] });
        using var request = await RawRequestAsync(scenario, "users");

        using var response = await EmulatorHttp.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    private static async Task<HttpRequestMessage> RawRequestAsync(GraphScenario scenario, string pathAndQuery, Guid? clientId = null)
    {
        var token = await EmulatorHttp.TokenAsync(scenario.Emulator, "https://graph.microsoft.com", query: $"&client_id={clientId ?? scenario.Tenant.UserAssignedClientId}");
        var request = new HttpRequestMessage(HttpMethod.Get, $"{scenario.Emulator.BaseAddress}v1.0/{pathAndQuery}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
