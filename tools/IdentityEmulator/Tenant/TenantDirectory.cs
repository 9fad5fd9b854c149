using System.Security.Cryptography;

namespace IdentityEmulator.Tenant;

/// <summary>
/// The emulated tenant at run time. Everything is immutable after load except app-role assignments, which the
/// Graph API and tests may add or remove; token issuance reads them afresh, so a change shows in the next token.
/// </summary>
internal sealed class TenantDirectory
{
    private readonly Lock _assignmentsLock = new();
    private readonly List<AppRoleAssignment> _assignments = [];

    public TenantDirectory(
        Guid tenantId,
        IReadOnlyList<ManagedIdentity> managedIdentities,
        IReadOnlyList<ServicePrincipal> servicePrincipals,
        IReadOnlyList<User> users,
        IReadOnlyList<AppRegistration> applications)
    {
        TenantId = tenantId;
        Applications = applications;
        ManagedIdentities = managedIdentities;
        ServicePrincipals = servicePrincipals;
        Users = users;
    }

    public Guid TenantId { get; }

    public IReadOnlyList<ManagedIdentity> ManagedIdentities { get; }

    public IReadOnlyList<ServicePrincipal> ServicePrincipals { get; }

    public IReadOnlyList<User> Users { get; }

    public IReadOnlyList<AppRegistration> Applications { get; }

    public ServicePrincipal Graph => ServicePrincipals.First(sp => sp.AppId == MicrosoftGraph.AppId);

    public IReadOnlyList<AppRoleAssignment> Assignments
    {
        get
        {
            lock (_assignmentsLock)
            {
                return [.. _assignments];
            }
        }
    }

    public ServicePrincipal? FindServicePrincipal(Guid id) => ServicePrincipals.FirstOrDefault(sp => sp.Id == id);

    /// <summary>
    /// The app's service principal in this tenant: what its tokens are issued to and its roles assigned to.
    /// </summary>
    public ServicePrincipal? FindServicePrincipalOfApp(Guid appId) =>
        ServicePrincipals.FirstOrDefault(sp => sp.AppId == appId && sp.Type == ServicePrincipalType.Application);

    public ManagedIdentity? FindManagedIdentity(IdentitySelector selector)
    {
        if (selector.IsDefault)
        {
            return ManagedIdentities.FirstOrDefault(mi => mi.IsSystemAssigned);
        }

        return ManagedIdentities.FirstOrDefault(mi =>
            (selector.ClientId is null
                || (Guid.TryParse(selector.ClientId, out var clientId) && clientId == mi.ClientId))
            && (selector.ObjectId is null
                || (Guid.TryParse(selector.ObjectId, out var objectId) && objectId == mi.ObjectId))
            && (selector.ResourceId is null
                || string.Equals(selector.ResourceId, mi.ResourceId, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// Resolves a token request's resource (v1 style) or scope (v2 style, ending in /.default) the way Entra does:
    /// by Application ID URI or by appId. Null means Entra would answer AADSTS500011.
    /// </summary>
    public ResolvedResource? ResolveResource(string resourceOrScope)
    {
        var requested = resourceOrScope.EndsWith("/.default", StringComparison.OrdinalIgnoreCase)
            ? resourceOrScope[..^"/.default".Length]
            : resourceOrScope;
        if (requested.Length == 0)
        {
            return null;
        }

        foreach (var sp in ServicePrincipals)
        {
            if (sp.Type == ServicePrincipalType.ManagedIdentity)
            {
                continue;
            }

            var byAppId = Guid.TryParse(requested, out var appId) && appId == sp.AppId;
            var byName = sp.ServicePrincipalNames.Any(name => SameIdentifier(name, requested));
            if (!byAppId && !byName)
            {
                continue;
            }

            return new ResolvedResource(sp, Audience(sp, requested), sp.AccessTokenVersion);
        }

        return null;
    }

    // v2 tokens always carry the appId as audience; v1 tokens carry the identifier the caller asked for.
    // Graph's own tokens always use its URI without the trailing slash.
    private static string Audience(ServicePrincipal sp, string requested)
    {
        if (sp.AccessTokenVersion == 2)
        {
            return sp.AppId.ToString();
        }

        if (sp.AppId == MicrosoftGraph.AppId)
        {
            return MicrosoftGraph.Resource;
        }

        return requested;
    }

    /// <summary>
    /// The values of the enabled application roles the principal holds on the resource, in assignment order.
    /// </summary>
    public IReadOnlyList<string> RolesOf(Guid principalId, ServicePrincipal resource)
    {
        var roles = new List<string>();
        foreach (var assignment in Assignments)
        {
            if (assignment.PrincipalId == principalId
                && assignment.ResourceId == resource.Id
                && resource.FindRole(assignment.AppRoleId) is { AllowsApplications: true } role
                && !roles.Contains(role.Value))
            {
                roles.Add(role.Value);
            }
        }

        return roles;
    }

    public AssignmentResult AddAssignment(Guid principalId, Guid resourceId, Guid appRoleId, string? id = null)
    {
        if (FindServicePrincipal(principalId) is null)
        {
            return AssignmentResult.Failed(
                $"principalId '{principalId}' is not a service principal or managed identity in this tenant");
        }

        if (FindServicePrincipal(resourceId) is not { } resource)
        {
            return AssignmentResult.Failed($"resourceId '{resourceId}' is not a service principal in this tenant");
        }

        if (resource.FindRole(appRoleId) is not { } role)
        {
            return AssignmentResult.Failed($"appRoleId '{appRoleId}' is not an app role of '{resource.DisplayName}'");
        }

        if (!role.AllowsApplications)
        {
            return AssignmentResult.Failed(
                $"app role '{role.Value}' of '{resource.DisplayName}' does not allow the member type Application");
        }

        lock (_assignmentsLock)
        {
            var exists = _assignments.Any(a =>
                a.PrincipalId == principalId && a.ResourceId == resourceId && a.AppRoleId == appRoleId);
            if (exists)
            {
                // Graph's own wording for a duplicate assignment.
                return AssignmentResult.Failed(
                    "Permission being assigned already exists on the object", isDuplicate: true);
            }

            var assignment = new AppRoleAssignment(
                id ?? NewAssignmentId(), principalId, resourceId, appRoleId, DateTimeOffset.UtcNow);
            _assignments.Add(assignment);
            return AssignmentResult.Succeeded(assignment);
        }
    }

    public bool RemoveAssignment(string assignmentId)
    {
        lock (_assignmentsLock)
        {
            return _assignments.RemoveAll(a => a.Id == assignmentId) > 0;
        }
    }

    private static bool SameIdentifier(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    // Graph assignment ids are opaque base64url strings.
    private static string NewAssignmentId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed record AssignmentResult(AppRoleAssignment? Assignment, string? Error, bool IsDuplicate)
{
    public static AssignmentResult Succeeded(AppRoleAssignment assignment) => new(assignment, null, false);

    public static AssignmentResult Failed(string error, bool isDuplicate = false) => new(null, error, isDuplicate);
}
