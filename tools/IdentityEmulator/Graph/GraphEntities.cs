using System.Globalization;
using IdentityEmulator.Tenant;

namespace IdentityEmulator.Graph;

/// <summary>
/// Tenant objects as Microsoft Graph v1.0 represents them, with each collection's query capabilities.
/// </summary>
internal static class GraphEntities
{
    // First-party apps such as Graph are owned by Microsoft's services tenant.
    private const string MicrosoftServicesTenantId = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

    public static readonly GraphCollection Users = new(
        "users",
        "microsoft.graph.user",
        // Graph's default property set for users when no $select is given.
        [
            "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
            "preferredLanguage", "surname", "userPrincipalName", "id",
        ],
        [
            "id", "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
            "preferredLanguage", "surname", "userPrincipalName", "department", "accountEnabled",
        ],
        // From the user resource's property table (Graph v1.0 reference).
        new Dictionary<string, Supports>
        {
            ["id"] = Supports.Eq,
            ["displayName"] = Supports.Eq | Supports.StartsWith | Supports.OrderBy | Supports.Search,
            ["userPrincipalName"] = Supports.Eq | Supports.StartsWith | Supports.OrderBy | Supports.Search,
            ["mail"] = Supports.Eq | Supports.StartsWith | Supports.Search,
            ["givenName"] = Supports.Eq | Supports.StartsWith | Supports.Search,
            ["surname"] = Supports.Eq | Supports.StartsWith | Supports.Search,
            ["jobTitle"] = Supports.Eq | Supports.StartsWith,
            ["department"] = Supports.Eq,
        });

    public static readonly GraphCollection ServicePrincipals = new(
        "servicePrincipals",
        "microsoft.graph.servicePrincipal",
        [
            "id", "deletedDateTime", "accountEnabled", "alternativeNames", "appDisplayName", "appId",
            "appOwnerOrganizationId", "appRoleAssignmentRequired", "appRoles", "displayName", "servicePrincipalNames",
            "servicePrincipalType", "tags",
        ],
        [
            "id", "deletedDateTime", "accountEnabled", "alternativeNames", "appDisplayName", "appId",
            "appOwnerOrganizationId", "appRoleAssignmentRequired", "appRoles", "displayName", "servicePrincipalNames",
            "servicePrincipalType", "tags",
        ],
        // From the servicePrincipal resource's property table: displayName sorts only in an advanced query.
        new Dictionary<string, Supports>
        {
            ["id"] = Supports.Eq,
            ["appId"] = Supports.Eq | Supports.StartsWith,
            ["displayName"] = Supports.Eq | Supports.StartsWith | Supports.AdvancedOrderBy | Supports.Search,
            ["servicePrincipalType"] = Supports.Eq,
        });

    public static readonly GraphCollection AppRoleAssignments = new(
        "appRoleAssignments",
        "microsoft.graph.appRoleAssignment",
        [
            "id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName", "principalId",
            "principalType", "resourceDisplayName", "resourceId",
        ],
        [
            "id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName", "principalId",
            "principalType", "resourceDisplayName", "resourceId",
        ],
        // From the appRoleAssignment resource's property table.
        new Dictionary<string, Supports>
        {
            ["principalDisplayName"] = Supports.StartsWith,
            ["resourceId"] = Supports.Eq,
        });

    public static Dictionary<string, object?> ToGraph(User user) => new()
    {
        ["id"] = user.Id.ToString(),
        ["businessPhones"] = user.BusinessPhones,
        ["displayName"] = user.DisplayName,
        ["givenName"] = user.GivenName,
        ["jobTitle"] = user.JobTitle,
        ["mail"] = user.Mail,
        ["mobilePhone"] = user.MobilePhone,
        ["officeLocation"] = user.OfficeLocation,
        ["preferredLanguage"] = null,
        ["surname"] = user.Surname,
        ["userPrincipalName"] = user.UserPrincipalName,
        ["department"] = user.Department,
        ["accountEnabled"] = user.AccountEnabled,
    };

    public static Dictionary<string, object?> ToGraph(ServicePrincipal sp, Guid tenantId) => new()
    {
        ["id"] = sp.Id.ToString(),
        ["deletedDateTime"] = null,
        ["accountEnabled"] = true,
        ["alternativeNames"] = sp.AlternativeNames,
        ["appDisplayName"] = sp.Type == ServicePrincipalType.ManagedIdentity ? null : sp.DisplayName,
        ["appId"] = sp.AppId.ToString(),
        ["appOwnerOrganizationId"] = sp.AppId == MicrosoftGraph.AppId ? MicrosoftServicesTenantId : tenantId.ToString(),
        ["appRoleAssignmentRequired"] = false,
        ["appRoles"] = sp.AppRoles.Select(r => new Dictionary<string, object?>
        {
            ["allowedMemberTypes"] = r.AllowedMemberTypes,
            ["description"] = r.Description,
            ["displayName"] = r.DisplayName,
            ["id"] = r.Id.ToString(),
            ["isEnabled"] = r.IsEnabled,
            ["origin"] = "Application",
            ["value"] = r.Value,
        }).ToList(),
        ["displayName"] = sp.DisplayName,
        ["servicePrincipalNames"] = sp.ServicePrincipalNames,
        ["servicePrincipalType"] = sp.Type.ToString(),
        ["tags"] = Array.Empty<string>(),
    };

    public static Dictionary<string, object?> ToGraph(AppRoleAssignment assignment, TenantDirectory tenant) => new()
    {
        ["id"] = assignment.Id,
        ["deletedDateTime"] = null,
        ["appRoleId"] = assignment.AppRoleId.ToString(),
        ["createdDateTime"] = assignment.CreatedDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["principalDisplayName"] = tenant.FindServicePrincipal(assignment.PrincipalId)?.DisplayName,
        ["principalId"] = assignment.PrincipalId.ToString(),
        ["principalType"] = "ServicePrincipal",
        ["resourceDisplayName"] = tenant.FindServicePrincipal(assignment.ResourceId)?.DisplayName,
        ["resourceId"] = assignment.ResourceId.ToString(),
    };
}
