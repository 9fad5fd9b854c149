using System.Net;
using System.Net.Http.Headers;
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

    private static async Task<HttpRequestMessage> RawRequestAsync(GraphScenario scenario, string pathAndQuery, Guid? clientId = null)
    {
        var token = await EmulatorHttp.TokenAsync(scenario.Emulator, "https://graph.microsoft.com", query: $"&client_id={clientId ?? scenario.Tenant.UserAssignedClientId}");
        var request = new HttpRequestMessage(HttpMethod.Get, $"{scenario.Emulator.BaseAddress}v1.0/{pathAndQuery}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
