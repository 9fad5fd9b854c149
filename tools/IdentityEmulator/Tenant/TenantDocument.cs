using System.Text.Json.Serialization;

namespace IdentityEmulator.Tenant;

// The tenant file's shape. Property names follow Microsoft Graph's resource names so that a reader who knows
// Graph (or Bicep's Microsoft.Graph types) recognises every field. Unknown fields are rejected at load time.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class TenantDocument
{
    public string? TenantId { get; set; }
    public List<ManagedIdentityDocument> ManagedIdentities { get; set; } = [];
    public List<ApplicationDocument> Applications { get; set; } = [];
    public List<ServicePrincipalDocument> ServicePrincipals { get; set; } = [];
    public List<AppRoleAssignmentDocument> AppRoleAssignments { get; set; } = [];
    public List<UserDocument> Users { get; set; } = [];
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ManagedIdentityDocument
{
    public string? Name { get; set; }

    // "systemAssigned" or "userAssigned".
    public string? Type { get; set; }
    public string? ObjectId { get; set; }
    public string? ClientId { get; set; }

    // The Azure resource the identity belongs to (the Function app for a system-assigned identity); it becomes
    // the token's xms_mirid claim and is what mi_res_id selects.
    public string? ResourceId { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ApplicationDocument
{
    public string? DisplayName { get; set; }
    public string? AppId { get; set; }
    public List<string> IdentifierUris { get; set; } = [];
    public List<AppRoleDocument> AppRoles { get; set; } = [];

    // api.requestedAccessTokenVersion in Graph: null or 1 gives v1 tokens, 2 gives v2 tokens.
    public int? RequestedAccessTokenVersion { get; set; }

    // api.oauth2PermissionScopes and api.preAuthorizedApplications in Graph: the delegated scopes the API exposes,
    // and the client apps (the Azure CLI is 04b07795-8ddb-461a-bbee-02f9e1bf7b46) users may use them through
    // without consent.
    public List<PermissionScopeDocument> Oauth2PermissionScopes { get; set; } = [];
    public List<PreAuthorizedApplicationDocument> PreAuthorizedApplications { get; set; } = [];

    // Credentials for Entra's token endpoint (client credentials flow), as Graph names them.
    public List<PasswordCredentialDocument> PasswordCredentials { get; set; } = [];
    public List<KeyCredentialDocument> KeyCredentials { get; set; } = [];
    public List<FederatedIdentityCredentialDocument> FederatedIdentityCredentials { get; set; } = [];
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PermissionScopeDocument
{
    public string? Id { get; set; }
    public string? Value { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PreAuthorizedApplicationDocument
{
    public string? AppId { get; set; }
    public List<string> DelegatedPermissionIds { get; set; } = [];
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PasswordCredentialDocument
{
    public string? DisplayName { get; set; }

    // "sha256:" and the base64 SHA-256 of the secret's UTF-8 bytes (the emulator's --hash-secret prints it); Graph
    // never returns a secret after creation, and neither file nor emulator holds one.
    public string? SecretHash { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class KeyCredentialDocument
{
    public string? DisplayName { get; set; }

    // The certificate, base64 DER (PEM without its header lines), as Graph's keyCredential.key.
    public string? Key { get; set; }
    public DateTimeOffset? EndDateTime { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class FederatedIdentityCredentialDocument
{
    public string? Name { get; set; }
    public string? Issuer { get; set; }
    public string? Subject { get; set; }
    public List<string>? Audiences { get; set; } = ["api://AzureADTokenExchange"];
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class AppRoleDocument
{
    public string? Id { get; set; }
    public string? Value { get; set; }
    public string? DisplayName { get; set; }
    public string? Description { get; set; }
    public List<string> AllowedMemberTypes { get; set; } = [];
    public bool IsEnabled { get; set; } = true;
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ServicePrincipalDocument
{
    public string? Id { get; set; }
    public string? AppId { get; set; }
    public string? DisplayName { get; set; }

    // Only for service principals without an application in this file (first-party ones such as Microsoft Graph).
    public List<string>? ServicePrincipalNames { get; set; }
    public List<AppRoleDocument>? AppRoles { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class AppRoleAssignmentDocument
{
    public string? Id { get; set; }
    public string? PrincipalId { get; set; }
    public string? ResourceId { get; set; }
    public string? AppRoleId { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class UserDocument
{
    public string? Id { get; set; }
    public string? DisplayName { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? Mail { get; set; }
    public string? GivenName { get; set; }
    public string? Surname { get; set; }
    public string? JobTitle { get; set; }
    public string? Department { get; set; }
    public string? OfficeLocation { get; set; }
    public string? MobilePhone { get; set; }
    public List<string> BusinessPhones { get; set; } = [];
    public bool AccountEnabled { get; set; } = true;
}
