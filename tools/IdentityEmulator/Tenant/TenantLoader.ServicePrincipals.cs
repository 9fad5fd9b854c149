namespace IdentityEmulator.Tenant;

// The servicePrincipals[] part of a tenant file, and the service principals every tenant has without listing them.
internal static partial class TenantLoader
{
    private static readonly Guid DefaultGraphObjectId = new("00000003-0000-0000-c000-00000000e001");

    private static List<ServicePrincipal> BuildServicePrincipals(
        List<ServicePrincipalDocument> documents,
        ApplicationSet applications,
        List<ManagedIdentity> identities,
        Errors errors)
    {
        var servicePrincipals = new List<ServicePrincipal>();
        foreach (var (document, at) in EntriesOf(documents, "servicePrincipals"))
        {
            if (BuildServicePrincipal(document, at, applications, errors) is { } sp)
            {
                servicePrincipals.Add(sp);
            }
        }

        // Every tenant has Microsoft Graph's service principal; a file that does not list it gets one with a
        // fixed object id, so its role assignments can still be written by appId-free tools.
        if (!servicePrincipals.Any(sp => sp.AppId == MicrosoftGraph.AppId))
        {
            servicePrincipals.Add(DefaultGraphServicePrincipal());
        }

        foreach (var mi in identities)
        {
            servicePrincipals.Add(ManagedIdentityServicePrincipal(mi));
        }

        ReportDuplicateObjectIds(servicePrincipals, errors);
        return servicePrincipals;
    }

    // A service principal takes its names and roles from its application in the file; only Microsoft Graph's,
    // a first-party app's, may stand alone.
    private static ServicePrincipal? BuildServicePrincipal(
        ServicePrincipalDocument sp, string at, ApplicationSet applications, Errors errors)
    {
        var id = errors.Guid(sp.Id, $"{at}.id");
        var appId = errors.Guid(sp.AppId, $"{at}.appId");
        if (applications.ByAppId.TryGetValue(appId, out var registered))
        {
            var app = registered.Document;
            if (sp.AppRoles is not null || sp.ServicePrincipalNames is not null)
            {
                errors.Add(
                    $"{at}: appRoles and servicePrincipalNames come from applications[] for appId '{appId}'; "
                    + "remove them here");
            }

            return new ServicePrincipal(
                id,
                appId,
                sp.DisplayName ?? app.DisplayName ?? "",
                ServicePrincipalType.Application,
                [.. app.IdentifierUris, appId.ToString()],
                registered.Roles,
                app.RequestedAccessTokenVersion ?? 1,
                []);
        }

        if (appId == MicrosoftGraph.AppId)
        {
            var roles = sp.AppRoles is null ? MicrosoftGraph.AppRoles : BuildRoles(sp.AppRoles, at, errors);
            return new ServicePrincipal(
                id,
                appId,
                sp.DisplayName ?? "Microsoft Graph",
                ServicePrincipalType.Application,
                sp.ServicePrincipalNames ?? MicrosoftGraph.ServicePrincipalNames,
                roles,
                1,
                []);
        }

        errors.Add(
            $"{at}.appId '{appId}' matches no entry of applications[] "
            + $"(only Microsoft Graph, {MicrosoftGraph.AppId}, may stand alone)");
        return null;
    }

    private static ServicePrincipal DefaultGraphServicePrincipal() => new(
        DefaultGraphObjectId,
        MicrosoftGraph.AppId,
        "Microsoft Graph",
        ServicePrincipalType.Application,
        MicrosoftGraph.ServicePrincipalNames,
        MicrosoftGraph.AppRoles,
        1,
        []);

    // A managed identity is a service principal of type ManagedIdentity: its object id is the principal id
    // in role assignments, its client id the appId.
    private static ServicePrincipal ManagedIdentityServicePrincipal(ManagedIdentity mi) => new(
        mi.ObjectId,
        mi.ClientId,
        mi.Name,
        ServicePrincipalType.ManagedIdentity,
        [mi.ClientId.ToString(), mi.ResourceId],
        [],
        1,
        [$"isExplicit={(!mi.IsSystemAssigned).ToString()}", mi.ResourceId]);

    private static void ReportDuplicateObjectIds(List<ServicePrincipal> servicePrincipals, Errors errors)
    {
        var duplicateIds = servicePrincipals
            .GroupBy(sp => sp.Id)
            .Where(g => g.Count() > 1 && g.Key != Guid.Empty)
            .Select(g => g.Key);
        foreach (var duplicate in duplicateIds)
        {
            errors.Add($"object id '{duplicate}' is used by more than one service principal or managed identity");
        }
    }
}
