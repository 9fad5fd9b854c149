namespace Benchmarks;

/// <summary>A one-identity tenant for the benchmarks: the app's identity holds Api.Read on the API and User.Read.All.</summary>
internal static class Tenant
{
    public static string Json(out Guid tenantId, out Guid apiAppId)
    {
        tenantId = Guid.NewGuid();
        apiAppId = Guid.NewGuid();
        var identity = Guid.NewGuid();
        var apiSp = Guid.NewGuid();
        var readRole = Guid.NewGuid();
        return $$"""
            {
              "tenantId": "{{tenantId}}",
              "managedIdentities": [ { "name": "func-bench", "type": "systemAssigned", "objectId": "{{identity}}", "clientId": "{{Guid.NewGuid()}}" } ],
              "applications": [ { "displayName": "Bench API", "appId": "{{apiAppId}}", "identifierUris": [ "api://{{apiAppId}}" ], "requestedAccessTokenVersion": 2,
                                  "appRoles": [ { "id": "{{readRole}}", "value": "Api.Read", "allowedMemberTypes": [ "Application" ] } ] } ],
              "servicePrincipals": [ { "id": "{{apiSp}}", "appId": "{{apiAppId}}" } ],
              "appRoleAssignments": [ { "principalId": "{{identity}}", "resourceId": "{{apiSp}}", "appRoleId": "{{readRole}}" } ]
            }
            """;
    }
}
