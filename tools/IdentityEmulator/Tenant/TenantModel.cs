using System.Security.Cryptography.X509Certificates;

namespace IdentityEmulator.Tenant;

internal sealed record ManagedIdentity(
    string Name, bool IsSystemAssigned, Guid ObjectId, Guid ClientId, string ResourceId);

internal sealed record AppRole(
    Guid Id,
    string Value,
    string DisplayName,
    string Description,
    IReadOnlyList<string> AllowedMemberTypes,
    bool IsEnabled)
{
    // Only roles that list "Application" can be assigned to a service principal or managed identity and appear in
    // app-only tokens; "User" roles go to users and groups.
    public bool AllowsApplications =>
        IsEnabled && AllowedMemberTypes.Contains("Application", StringComparer.OrdinalIgnoreCase);
}

internal enum ServicePrincipalType
{
    Application,
    ManagedIdentity,
}

internal sealed record ServicePrincipal(
    Guid Id,
    Guid AppId,
    string DisplayName,
    ServicePrincipalType Type,
    IReadOnlyList<string> ServicePrincipalNames,
    IReadOnlyList<AppRole> AppRoles,
    int AccessTokenVersion,
    IReadOnlyList<string> AlternativeNames)
{
    public AppRole? FindRole(Guid roleId) => AppRoles.FirstOrDefault(r => r.Id == roleId);
}

/// <summary>
/// An app registration's credentials, for Entra's token endpoint (client secrets, certificates, federated credentials),
/// and the delegated scope values each pre-authorized client app may get for its users.
/// </summary>
internal sealed record AppRegistration(
    Guid AppId,
    string DisplayName,
    IReadOnlyList<ClientSecret> Secrets,
    IReadOnlyList<ClientCertificate> Certificates,
    IReadOnlyList<FederatedCredential> FederatedCredentials,
    IReadOnlyDictionary<Guid, IReadOnlyList<string>> PreAuthorizedScopes);

/// <summary>A client secret as the tenant file stores it: the SHA-256 of its value, never the value.</summary>
internal sealed record ClientSecret(byte[] Sha256, DateTimeOffset? EndDateTime);

internal sealed record ClientCertificate(X509Certificate2 Certificate, DateTimeOffset EndDateTime);

/// <summary>Trust in tokens from another issuer (a Kubernetes cluster, GitHub Actions) for one subject.</summary>
internal sealed record FederatedCredential(string Name, string Issuer, string Subject, IReadOnlyList<string> Audiences);

internal sealed record AppRoleAssignment(
    string Id, Guid PrincipalId, Guid ResourceId, Guid AppRoleId, DateTimeOffset CreatedDateTime);

internal sealed record User(
    Guid Id,
    string DisplayName,
    string UserPrincipalName,
    string? Mail,
    string? GivenName,
    string? Surname,
    string? JobTitle,
    string? Department,
    string? OfficeLocation,
    string? MobilePhone,
    IReadOnlyList<string> BusinessPhones,
    bool AccountEnabled);

/// <summary>What a resource or scope in a token request resolved to, and the audience its token carries.</summary>
internal sealed record ResolvedResource(ServicePrincipal ServicePrincipal, string Audience, int TokenVersion);

/// <summary>How a token request names its managed identity: nothing (system-assigned) or one of the ids.</summary>
internal readonly record struct IdentitySelector(string? ClientId, string? ObjectId, string? ResourceId)
{
    public bool IsDefault => ClientId is null && ObjectId is null && ResourceId is null;
}
