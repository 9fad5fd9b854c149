using IdentityEmulator.Tenant;

namespace IdentityEmulator.Tests;

public sealed class TenantFileTests
{
    private const string Minimal = """
        {
          "tenantId": "11111111-1111-1111-1111-111111111111",
          "managedIdentities": [ { "name": "func", "type": "systemAssigned", "objectId": "22222222-2222-2222-2222-222222222222", "clientId": "33333333-3333-3333-3333-333333333333" } ]
        }
        """;

    [Fact]
    public void SampleTenantFile_Loads_WithGraphUserReadAllForTheAppIdentity()
    {
        var tenant = TenantLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "tenant.sample.json"));

        var app = Assert.Single(tenant.ManagedIdentities, mi => mi.IsSystemAssigned);
        Assert.Contains("User.Read.All", tenant.RolesOf(app.ObjectId, tenant.Graph));
        Assert.NotEmpty(tenant.Users);
        Assert.NotNull(tenant.ResolveResource("api://3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64/.default"));
    }

    [Fact]
    public void MinimalTenant_GetsBuiltInGraphServicePrincipal()
    {
        var tenant = TenantLoader.Parse(Minimal);

        Assert.Equal(MicrosoftGraph.AppId, tenant.Graph.AppId);
        Assert.Equal(MicrosoftGraph.UserReadAll.Id, tenant.Graph.AppRoles.Single(r => r.Value == "User.Read.All").Id);
        Assert.Equal("https://graph.microsoft.com", tenant.ResolveResource("https://graph.microsoft.com/.default")?.Audience);
        Assert.Null(tenant.ResolveResource("api://not-registered"));
    }

    [Theory]
    [InlineData("""{ "tenantId": "not-a-guid" }""", "tenantId 'not-a-guid' is not a GUID")]
    [InlineData("""{ "managedIdentities": [] }""", "tenantId is required")]
    [InlineData("""{ "tenantId": "11111111-1111-1111-1111-111111111111", "managedIdentities": [ { "name": "x", "type": "system", "objectId": "22222222-2222-2222-2222-222222222222", "clientId": "33333333-3333-3333-3333-333333333333" } ] }""", "managedIdentities[0].type must be")]
    [InlineData("""{ "tenantId": "11111111-1111-1111-1111-111111111111", "managedIdentities": [ { "name": "x", "type": "userAssigned", "clientId": "33333333-3333-3333-3333-333333333333" } ] }""", "managedIdentities[0].objectId is required")]
    [InlineData("""{ "tenantId": "11111111-1111-1111-1111-111111111111", "managedIdentitys": [] }""", "managedIdentitys")]
    [InlineData("""{ "tenantId": "11111111-1111-1111-1111-111111111111", "applications": [ { "displayName": "a", "appId": "44444444-4444-4444-4444-444444444444", "identifierUris": [ "not a uri" ] } ] }""", "applications[0].identifierUris[0]")]
    [InlineData("""{ "tenantId": "11111111-1111-1111-1111-111111111111", "applications": [ { "displayName": "a", "appId": "44444444-4444-4444-4444-444444444444", "appRoles": [ { "id": "55555555-5555-5555-5555-555555555555", "value": "R" } ] } ] }""", "applications[0].appRoles[0].allowedMemberTypes")]
    [InlineData("""{ "tenantId": "11111111-1111-1111-1111-111111111111", "servicePrincipals": [ { "id": "66666666-6666-6666-6666-666666666666", "appId": "44444444-4444-4444-4444-444444444444" } ] }""", "servicePrincipals[0].appId '44444444-4444-4444-4444-444444444444' matches no entry")]
    [InlineData("""{ "tenantId": "11111111-1111-1111-1111-111111111111", "appRoleAssignments": [ { "principalId": "22222222-2222-2222-2222-222222222222", "resourceId": "66666666-6666-6666-6666-666666666666", "appRoleId": "55555555-5555-5555-5555-555555555555" } ] }""", "appRoleAssignments[0]: principalId")]
    [InlineData("""{ "tenantId": "11111111-1111-1111-1111-111111111111", "users": [ { "id": "77777777-7777-7777-7777-777777777777", "displayName": "U" } ] }""", "users[0].userPrincipalName is required")]
    [InlineData("""{ "tenantId": 42 }""", "$.tenantId")]
    [InlineData("""{ "tenantId": """, "invalid tenant file")]
    public void InvalidTenantFile_FailsWithMessageNamingTheField(string json, string expected)
    {
        var error = Assert.Throws<TenantFileException>(() => TenantLoader.Parse(json, "tenant.json"));

        Assert.StartsWith("tenant.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assignment_OfUserOnlyRole_IsRefused()
    {
        var json = """
            {
              "tenantId": "11111111-1111-1111-1111-111111111111",
              "managedIdentities": [ { "name": "func", "type": "systemAssigned", "objectId": "22222222-2222-2222-2222-222222222222", "clientId": "33333333-3333-3333-3333-333333333333" } ],
              "applications": [ { "displayName": "api", "appId": "44444444-4444-4444-4444-444444444444", "appRoles": [ { "id": "55555555-5555-5555-5555-555555555555", "value": "Human", "allowedMemberTypes": [ "User" ] } ] } ],
              "servicePrincipals": [ { "id": "66666666-6666-6666-6666-666666666666", "appId": "44444444-4444-4444-4444-444444444444" } ],
              "appRoleAssignments": [ { "principalId": "22222222-2222-2222-2222-222222222222", "resourceId": "66666666-6666-6666-6666-666666666666", "appRoleId": "55555555-5555-5555-5555-555555555555" } ]
            }
            """;

        var error = Assert.Throws<TenantFileException>(() => TenantLoader.Parse(json));

        Assert.Contains("does not allow the member type Application", error.Message, StringComparison.Ordinal);
    }
}
