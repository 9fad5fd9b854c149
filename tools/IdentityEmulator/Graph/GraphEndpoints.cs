using System.Text.Json;
using IdentityEmulator.Faults;
using IdentityEmulator.Tenant;

namespace IdentityEmulator.Graph;

/// <summary>
/// The Microsoft Graph v1.0 subset the sample and its scripts use, under /v1.0 so that the Graph SDK and the
/// role-assignment scripts need only a different base URL.
/// </summary>
internal static class GraphEndpoints
{
    public static IEndpointRouteBuilder MapGraphEndpoints(this IEndpointRouteBuilder app)
    {
        var faulted = new FaultedEndpoint(
            EndpointNames.Graph,
            FaultedEndpoint.ReadPath,
            (_, status, message) => GraphErrors.FromFault(status, message));
        var graph = app.MapGroup("/v1.0");
        // Stamped first, so that an injected fault's error body carries the request ids too.
        graph.AddEndpointFilter((context, next) =>
        {
            GraphErrors.StampRequestIds(context.HttpContext);
            return next(context);
        });
        graph.WithMetadata(faulted);
        graph.AddEndpointFilter<FaultInjectionFilter>();
        graph.MapGet("/users", ListUsersAsync);
        graph.MapGet("/users/{id}", GetUserAsync);
        graph.MapGet("/servicePrincipals", ListServicePrincipalsAsync);
        // Graph addresses a service principal by object id, or by application id through an alternate key.
        MapServicePrincipal(graph, "/servicePrincipals/{id}", byAppId: false);
        MapServicePrincipal(graph, "/servicePrincipals(appId='{id}')", byAppId: true);
        return app;
    }

    private static void MapServicePrincipal(RouteGroupBuilder graph, string path, bool byAppId)
    {
        graph.MapGet(path, (HttpContext c, string id, EmulatorState s) =>
            GetServicePrincipalAsync(c, new(id, byAppId), s));
        graph.MapGet(path + "/appRoleAssignedTo", (HttpContext c, string id, EmulatorState s) =>
            ListAssignmentsAsync(c, new(id, byAppId), s, assignedTo: true));
        graph.MapGet(path + "/appRoleAssignments", (HttpContext c, string id, EmulatorState s) =>
            ListAssignmentsAsync(c, new(id, byAppId), s, assignedTo: false));
        graph.MapPost(path + "/appRoleAssignedTo", (HttpContext c, string id, EmulatorState s) =>
            AssignAsync(c, new(id, byAppId), s, assignedTo: true));
        graph.MapPost(path + "/appRoleAssignments", (HttpContext c, string id, EmulatorState s) =>
            AssignAsync(c, new(id, byAppId), s, assignedTo: false));
        graph.MapDelete(
            path + "/appRoleAssignedTo/{assignmentId}",
            (HttpContext c, string id, string assignmentId, EmulatorState s) =>
                UnassignAsync(c, new(id, byAppId), assignmentId, s, assignedTo: true));
        graph.MapDelete(
            path + "/appRoleAssignments/{assignmentId}",
            (HttpContext c, string id, string assignmentId, EmulatorState s) =>
                UnassignAsync(c, new(id, byAppId), assignmentId, s, assignedTo: false));
    }

    private static async Task<IResult> ListUsersAsync(HttpContext context, EmulatorState state) =>
        await state.GraphAuthorization.AuthorizeAsync(context, GraphAuthorization.ReadUsers)
        ?? ODataQuery.List(context, GraphEntities.Users, state.Tenant.Users.Select(GraphEntities.ToGraph));

    private static async Task<IResult> GetUserAsync(HttpContext context, string id, EmulatorState state)
    {
        var denied = await state.GraphAuthorization.AuthorizeAsync(context, GraphAuthorization.ReadUsers);
        if (denied is not null)
        {
            return denied;
        }

        // Graph addresses a user by object id or by userPrincipalName.
        var user = state.Tenant.Users.FirstOrDefault(u => Guid.TryParse(id, out var guid)
            ? u.Id == guid
            : string.Equals(u.UserPrincipalName, id, StringComparison.OrdinalIgnoreCase));
        if (user is null)
        {
            return GraphErrors.NotFound(id);
        }

        return ODataQuery.Single(context, GraphEntities.Users, GraphEntities.ToGraph(user));
    }

    private static async Task<IResult> ListServicePrincipalsAsync(HttpContext context, EmulatorState state) =>
        await state.GraphAuthorization.AuthorizeAsync(context, GraphAuthorization.ReadServicePrincipals)
        ?? ODataQuery.List(
            context,
            GraphEntities.ServicePrincipals,
            state.Tenant.ServicePrincipals.Select(sp => GraphEntities.ToGraph(sp, state.Tenant.TenantId)));

    private static async Task<IResult> GetServicePrincipalAsync(
        HttpContext context, ServicePrincipalKey key, EmulatorState state)
    {
        var denied = await state.GraphAuthorization.AuthorizeAsync(context, GraphAuthorization.ReadServicePrincipals);
        if (denied is not null)
        {
            return denied;
        }

        if (FindServicePrincipal(state, key) is not { } sp)
        {
            return GraphErrors.NotFound(key.Id);
        }

        var entity = GraphEntities.ToGraph(sp, state.Tenant.TenantId);
        return ODataQuery.Single(context, GraphEntities.ServicePrincipals, entity);
    }

    // appRoleAssignedTo lists who holds roles on this service principal (it is the resource);
    // appRoleAssignments lists the roles this service principal holds on others (it is the principal).
    private static async Task<IResult> ListAssignmentsAsync(
        HttpContext context, ServicePrincipalKey key, EmulatorState state, bool assignedTo)
    {
        var denied = await state.GraphAuthorization.AuthorizeAsync(context, GraphAuthorization.ReadServicePrincipals);
        if (denied is not null)
        {
            return denied;
        }

        if (FindServicePrincipal(state, key) is not { } sp)
        {
            return GraphErrors.NotFound(key.Id);
        }

        var replicated = DateTimeOffset.UtcNow - state.ReplicationDelay;
        var assignments = state.Tenant.Assignments
            .Where(a => (assignedTo ? a.ResourceId : a.PrincipalId) == sp.Id && a.CreatedDateTime <= replicated)
            .Select(a => GraphEntities.ToGraph(a, state.Tenant));
        return ODataQuery.List(context, GraphEntities.AppRoleAssignments, assignments);
    }

    private static async Task<IResult> AssignAsync(
        HttpContext context, ServicePrincipalKey key, EmulatorState state, bool assignedTo)
    {
        var denied = await state.GraphAuthorization.AuthorizeAsync(context, GraphAuthorization.GrantAppRoles);
        if (denied is not null)
        {
            return denied;
        }

        if (FindServicePrincipal(state, key) is not { } sp)
        {
            return GraphErrors.NotFound(key.Id);
        }

        if (await ReadAssignmentAsync(context) is not { } body)
        {
            return GraphErrors.BadRequest(
                "The request body must be a JSON object with the GUIDs principalId, resourceId and appRoleId.");
        }

        // Graph requires the URL's service principal to be the body's resource (appRoleAssignedTo) or principal.
        if ((assignedTo ? body.ResourceId : body.PrincipalId) != sp.Id)
        {
            return GraphErrors.BadRequest(assignedTo
                ? $"resourceId '{body.ResourceId}' must be the service principal in the URL ('{sp.Id}')."
                : $"principalId '{body.PrincipalId}' must be the service principal in the URL ('{sp.Id}').");
        }

        var result = state.Tenant.AddAssignment(body.PrincipalId, body.ResourceId, body.AppRoleId);
        if (result.Assignment is not { } assignment)
        {
            return GraphErrors.BadRequest(result.Error!);
        }

        var created = GraphEntities.ToGraph(assignment, state.Tenant);
        created["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#appRoleAssignments/$entity";
        return Results.Json(created, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> UnassignAsync(
        HttpContext context, ServicePrincipalKey key, string assignmentId, EmulatorState state, bool assignedTo)
    {
        var denied = await state.GraphAuthorization.AuthorizeAsync(context, GraphAuthorization.RevokeAppRoles);
        if (denied is not null)
        {
            return denied;
        }

        var assignment = FindServicePrincipal(state, key) is { } sp
            ? state.Tenant.Assignments.FirstOrDefault(a =>
                a.Id == assignmentId && (assignedTo ? a.ResourceId : a.PrincipalId) == sp.Id)
            : null;
        if (assignment is null || !state.Tenant.RemoveAssignment(assignment.Id))
        {
            return GraphErrors.NotFound(assignmentId);
        }

        return Results.NoContent();
    }

    private static ServicePrincipal? FindServicePrincipal(EmulatorState state, ServicePrincipalKey key)
    {
        if (!Guid.TryParse(key.Id, out var guid))
        {
            return null;
        }

        if (key.IsAppId)
        {
            return state.Tenant.ServicePrincipals.FirstOrDefault(sp => sp.AppId == guid);
        }

        return state.Tenant.FindServicePrincipal(guid);
    }

    private static async Task<AssignmentRequest?> ReadAssignmentAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(
                context.Request.Body, cancellationToken: context.RequestAborted);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && TryGuid(root, "principalId", out var principalId)
                && TryGuid(root, "resourceId", out var resourceId)
                && TryGuid(root, "appRoleId", out var appRoleId)
                ? new AssignmentRequest(principalId, resourceId, appRoleId)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryGuid(JsonElement element, string name, out Guid value)
    {
        value = default;
        return element.TryGetProperty(name, out var property)
            && property.ValueKind == JsonValueKind.String
            && Guid.TryParse(property.GetString(), out value);
    }

    private readonly record struct ServicePrincipalKey(string Id, bool IsAppId);

    private sealed record AssignmentRequest(Guid PrincipalId, Guid ResourceId, Guid AppRoleId);
}
