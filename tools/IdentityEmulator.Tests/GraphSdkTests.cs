using System.Net;
using System.Net.Http.Headers;
using Azure.Core;
using Azure.Identity;
using IdentityEmulator.Faults;
using IdentityEmulator.Tests.Infrastructure;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace IdentityEmulator.Tests;

/// <summary>The real Microsoft Graph SDK against the emulator's Graph subset, with managed-identity tokens.</summary>
[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class GraphSdkTests
{
    [Fact]
    public async Task ListUsers_WithTopSelectAndStartsWithFilter_ReturnsMatchingPageWithSelectedFields()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant { UserCount = 10 });
        var (tenant, emulator, graph) = (scenario.Tenant, scenario.Emulator, scenario.Graph);

        var page = await graph.Users.GetAsync(r =>
        {
            r.QueryParameters.Top = 3;
            r.QueryParameters.Select = ["displayName", "mail"];
            r.QueryParameters.Filter = "startswith(displayName,'Alex')";
        });

        Assert.NotNull(page?.Value);
        Assert.Equal(3, page.Value.Count);
        Assert.All(page.Value, u => Assert.StartsWith("Alex", u.DisplayName, StringComparison.Ordinal));
        Assert.All(page.Value, u => Assert.NotNull(u.Mail));
        Assert.All(page.Value, u => Assert.Null(u.Id));
        Assert.All(page.Value, u => Assert.Null(u.UserPrincipalName));
        Assert.NotNull(page.OdataNextLink);
    }

    [Fact]
    public async Task ListUsers_WithPageIterator_FollowsNextLinkThroughEveryPage()
    {
        await using var scenario = await GraphScenario.StartAsync(new TestTenant { UserCount = 25 }, MicrosoftGraph.DirectoryReadAll.Id);
        var (tenant, emulator, graph) = (scenario.Tenant, scenario.Emulator, scenario.Graph);
        var first = await graph.Users.GetAsync(r => r.QueryParameters.Top = 10);
        var seen = new List<string>();

        var iterator = PageIterator<User, UserCollectionResponse>.CreatePageIterator(graph, first!, user =>
        {
            seen.Add(user.UserPrincipalName!);
            return true;
        });
        await iterator.IterateAsync();

        Assert.Equal(25, seen.Count);
        Assert.Equal(25, seen.Distinct().Count());
        Assert.Equal(3, emulator.RequestCount("graph", "/v1.0/users"));
    }

    [Fact]
    public async Task ListUsers_WithCount_CountsOnlyWithConsistencyLevelEventual()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant { UserCount = 7 });
        var graph = scenario.Graph;

        var counted = await graph.Users.GetAsync(r =>
        {
            r.QueryParameters.Count = true;
            r.Headers.Add("ConsistencyLevel", "eventual");
        });
        // Graph silently ignores ?$count=true without the header (aad-advanced-queries, "Error handling").
        var uncounted = await graph.Users.GetAsync(r => r.QueryParameters.Count = true);

        Assert.Equal(7, counted?.OdataCount);
        Assert.Null(uncounted?.OdataCount);
        Assert.Equal(7, uncounted?.Value?.Count);
    }

    [Fact]
    public async Task ListUsers_IdentityWithoutUserReadAll_Returns403AuthorizationRequestDenied()
    {
        await using var scenario = await GraphScenario.StartAsync(new TestTenant());
        var (tenant, emulator, graph) = (scenario.Tenant, scenario.Emulator, scenario.Graph);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Users.GetAsync());

        Assert.Equal(403, error.ResponseStatusCode);
        Assert.Equal("Authorization_RequestDenied", error.Error?.Code);
    }

    [Fact]
    public async Task ListUsers_TokenForAnotherAudience_Returns401InvalidAuthenticationToken()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant());
        var (tenant, emulator) = (scenario.Tenant, scenario.Emulator);
        var credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(tenant.UserAssignedClientId.ToString()));
        var apiToken = await credential.GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(emulator.GraphBaseUrl + "/users"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiToken.Token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("InvalidAuthenticationToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("Invalid audience", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetUser_ByIdAndByUserPrincipalName_ReturnsUserAndUnknownIs404()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant { UserCount = 3 });
        var (tenant, emulator, graph) = (scenario.Tenant, scenario.Emulator, scenario.Graph);

        var byUpn = await graph.Users["user002@contoso.example"].GetAsync();
        var byId = await graph.Users[byUpn!.Id].GetAsync();
        var missing = await Assert.ThrowsAsync<ODataError>(() => graph.Users[Guid.NewGuid().ToString()].GetAsync());

        Assert.Equal("user002@contoso.example", byId?.UserPrincipalName);
        Assert.Equal(404, missing.ResponseStatusCode);
        Assert.Equal("Request_ResourceNotFound", missing.Error?.Code);
    }

    [Fact]
    public async Task ListServicePrincipals_FilterByAppId_FindsGraphWithRealRoleIds()
    {
        await using var scenario = await GraphScenario.StartAsync(new TestTenant());
        var (tenant, emulator, graph) = (scenario.Tenant, scenario.Emulator, scenario.Admin);

        var result = await graph.ServicePrincipals.GetAsync(r => r.QueryParameters.Filter = $"appId eq '{MicrosoftGraph.AppId}'");

        var sp = Assert.Single(result!.Value!);
        Assert.Equal(tenant.GraphServicePrincipalId.ToString(), sp.Id);
        var role = Assert.Single(sp.AppRoles!, r => r.Value == "User.Read.All");
        Assert.Equal(new Guid("df021288-bdef-4463-88db-98f22de89214"), role.Id);
        Assert.Contains("Application", role.AllowedMemberTypes!);
    }

    [Fact]
    public async Task AssignAppRoleThroughGraph_RoleAppearsOnlyInTokensNotAlreadyCached()
    {
        await using var scenario = await GraphScenario.StartAsync(new TestTenant { ApiTokenVersion = 1 });
        var (tenant, emulator, admin) = (scenario.Tenant, scenario.Emulator, scenario.Admin);
        var app = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(tenant.UserAssignedClientId.ToString()));
        var byUri = new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]);
        var before = await app.GetTokenAsync(byUri, CancellationToken.None);

        var created = await admin.ServicePrincipals[tenant.ApiServicePrincipalId.ToString()].AppRoleAssignedTo.PostAsync(new AppRoleAssignment
        {
            PrincipalId = tenant.UserAssignedObjectId,
            ResourceId = tenant.ApiServicePrincipalId,
            AppRoleId = tenant.ApiReadRoleId,
        });
        var cached = await app.GetTokenAsync(byUri, CancellationToken.None);
        var fresh = await app.GetTokenAsync(new TokenRequestContext([tenant.ApiAppId + "/.default"]), CancellationToken.None);

        Assert.False(Jwt.Read(before.Token).TryGetClaim("roles", out _));
        Assert.NotNull(created?.Id);
        // MSAL served the token it already had: the assignment is invisible until that token expires.
        Assert.False(Jwt.Read(cached.Token).TryGetClaim("roles", out _));
        Assert.Equal(1, emulator.RequestCount("managedIdentity", tenant.ApiAppIdUri));
        Assert.Equal(["Api.Read"], Jwt.Roles(Jwt.Read(fresh.Token)));
    }

    [Fact]
    public async Task AppRoleAssignments_ListDuplicateAndDelete_BehaveAsGraph()
    {
        await using var scenario = await GraphScenario.StartAsync(new TestTenant());
        var (tenant, admin) = (scenario.Tenant, scenario.Admin);
        var api = admin.ServicePrincipals[tenant.ApiServicePrincipalId.ToString()];
        // A new object per request: the SDK's backing store sends only changed properties of an object it already sent.
        AppRoleAssignment Assignment() => new() { PrincipalId = tenant.SystemObjectId, ResourceId = tenant.ApiServicePrincipalId, AppRoleId = tenant.ApiWriteRoleId };

        var created = await api.AppRoleAssignedTo.PostAsync(Assignment());
        var duplicate = await Assert.ThrowsAsync<ODataError>(() => api.AppRoleAssignedTo.PostAsync(Assignment()));
        var listed = await admin.ServicePrincipals[tenant.SystemObjectId.ToString()].AppRoleAssignments.GetAsync();
        await api.AppRoleAssignedTo[created!.Id].DeleteAsync();
        var afterDelete = await api.AppRoleAssignedTo.GetAsync();

        Assert.Equal(400, duplicate.ResponseStatusCode);
        Assert.Contains("already exists", duplicate.Error?.Message, StringComparison.Ordinal);
        var only = Assert.Single(listed!.Value!);
        Assert.Equal("Test API", only.ResourceDisplayName);
        Assert.Equal(tenant.ApiWriteRoleId, only.AppRoleId);
        Assert.Empty(afterDelete!.Value!);
    }

    [Fact]
    public async Task AppRoleAssignmentPermissionAlone_CanNeitherReadServicePrincipalsNorGrant()
    {
        await using var scenario = await GraphScenario.StartAsync(new TestTenant(), MicrosoftGraph.AppRoleAssignmentReadWriteAll.Id);
        var (tenant, graph) = (scenario.Tenant, scenario.Graph);

        var read = await Assert.ThrowsAsync<ODataError>(() => graph.ServicePrincipals.GetAsync());
        var grant = await Assert.ThrowsAsync<ODataError>(() => graph.ServicePrincipals[tenant.ApiServicePrincipalId.ToString()].AppRoleAssignedTo.PostAsync(
            new AppRoleAssignment { PrincipalId = tenant.UserAssignedObjectId, ResourceId = tenant.ApiServicePrincipalId, AppRoleId = tenant.ApiReadRoleId }));

        Assert.All([read, grant], e => Assert.Equal((403, "Authorization_RequestDenied"), (e.ResponseStatusCode, e.Error?.Code)));
        Assert.DoesNotContain(scenario.Emulator.State.Tenant.Assignments, a => a.ResourceId == tenant.ApiServicePrincipalId);
    }

    [Fact]
    public async Task AssignAppRole_WithoutAppRoleAssignmentPermission_Returns403()
    {
        await using var scenario = await GraphScenario.StartAsync(new TestTenant(), MicrosoftGraph.DirectoryReadAll.Id);
        var (tenant, emulator, graph) = (scenario.Tenant, scenario.Emulator, scenario.Graph);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.ServicePrincipals[tenant.ApiServicePrincipalId.ToString()].AppRoleAssignedTo.PostAsync(
            new AppRoleAssignment { PrincipalId = tenant.UserAssignedObjectId, ResourceId = tenant.ApiServicePrincipalId, AppRoleId = tenant.ApiReadRoleId }));

        Assert.Equal(403, error.ResponseStatusCode);
        Assert.Equal("Authorization_RequestDenied", error.Error?.Code);
    }

    [Fact]
    public async Task ListUsers_ThrottledThenUnavailable_GraphSdkRetriesHonouringRetryAfter()
    {
        await using var scenario = await GraphScenario.WithUserReadAllAsync(new TestTenant());
        var (emulator, graph) = (scenario.Emulator, scenario.Graph);
        emulator.AddFault(new FaultRule
        {
            Endpoint = "graph",
            Resource = "/v1.0/users",
            Sequence = [new FaultStep { Status = 429, RetryAfterSeconds = 1 }, new FaultStep { Status = 503, RetryAfterSeconds = 1 }],
        });

        var page = await graph.Users.GetAsync();

        Assert.Equal(5, page?.Value?.Count);
        Assert.Equal(3, emulator.RequestCount("graph", "/v1.0/users"));
    }
}
