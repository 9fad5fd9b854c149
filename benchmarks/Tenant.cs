namespace Benchmarks;

/// <summary>A one-identity tenant for the benchmarks: the app's identity holds Api.Read on the API and User.Read.All on Graph.</summary>
internal static class Tenant
{
    public static string Json(out Guid tenantId, out Guid apiAppId)
    {
        tenantId = Guid.NewGuid();
        apiAppId = Guid.NewGuid();
        var identity = Guid.NewGuid();
        var apiSp = Guid.NewGuid();
        var readRole = Guid.NewGuid();
        var graphSp = Guid.NewGuid();
        return $$"""
            {
              "tenantId": "{{tenantId}}",
              "managedIdentities": [ { "name": "func-bench", "type": "systemAssigned", "objectId": "{{identity}}", "clientId": "{{Guid.NewGuid()}}" } ],
              "applications": [ { "displayName": "Bench API", "appId": "{{apiAppId}}", "identifierUris": [ "api://{{apiAppId}}" ], "requestedAccessTokenVersion": 2,
                                  "appRoles": [ { "id": "{{readRole}}", "value": "Api.Read", "allowedMemberTypes": [ "Application" ] } ] } ],
              "servicePrincipals": [ { "id": "{{apiSp}}", "appId": "{{apiAppId}}" }, { "id": "{{graphSp}}", "appId": "00000003-0000-0000-c000-000000000000" } ],
              "appRoleAssignments": [ { "principalId": "{{identity}}", "resourceId": "{{apiSp}}", "appRoleId": "{{readRole}}" },
                                      { "principalId": "{{identity}}", "resourceId": "{{graphSp}}", "appRoleId": "df021288-bdef-4463-88db-98f22de89214" } ],
              "users": [ { "id": "{{Guid.NewGuid()}}", "displayName": "Alex Wilber", "userPrincipalName": "alexw@contoso.example" },
                         { "id": "{{Guid.NewGuid()}}", "displayName": "Bea Lindqvist", "userPrincipalName": "beal@contoso.example" },
                         { "id": "{{Guid.NewGuid()}}", "displayName": "Chen Wei", "userPrincipalName": "chenw@contoso.example" } ]
            }
            """;
    }
}
