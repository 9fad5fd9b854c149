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
        var graph = app.MapGroup("/v1.0");
        graph.MapGet("/users", ListUsersAsync);
        graph.MapGet("/users/{id}", GetUserAsync);
        graph.MapGet("/servicePrincipals", ListServicePrincipalsAsync);
        graph.MapGet("/servicePrincipals/{id}", GetServicePrincipalAsync);
        graph.MapGet("/servicePrincipals/{id}/appRoleAssignedTo", (HttpContext c, string id, EmulatorState s) => ListAssignmentsAsync(c, id, s, assignedTo: true));
        graph.MapGet("/servicePrincipals/{id}/appRoleAssignments", (HttpContext c, string id, EmulatorState s) => ListAssignmentsAsync(c, id, s, assignedTo: false));
        graph.MapPost("/servicePrincipals/{id}/appRoleAssignedTo", (HttpContext c, string id, EmulatorState s) => AssignAsync(c, id, s, assignedTo: true));
        graph.MapPost("/servicePrincipals/{id}/appRoleAssignments", (HttpContext c, string id, EmulatorState s) => AssignAsync(c, id, s, assignedTo: false));
        graph.MapDelete("/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}", (HttpContext c, string id, string assignmentId, EmulatorState s) => UnassignAsync(c, id, assignmentId, s, assignedTo: true));
        graph.MapDelete("/servicePrincipals/{id}/appRoleAssignments/{assignmentId}", (HttpContext c, string id, string assignmentId, EmulatorState s) => UnassignAsync(c, id, assignmentId, s, assignedTo: false));
        return app;
    }

    private static async Task<IResult> ListUsersAsync(HttpContext context, EmulatorState state) =>
        await GuardAsync(context, state, GraphAuthorization.ReadUsers)
        ?? ODataQuery.List(context, GraphEntities.Users, state.Tenant.Users.Select(GraphEntities.ToGraph));

    private static async Task<IResult> GetUserAsync(HttpContext context, string id, EmulatorState state)
    {
        if (await GuardAsync(context, state, GraphAuthorization.ReadUsers) is { } denied)
        {
            return denied;
        }

        // Graph addresses a user by object id or by userPrincipalName.
        var user = state.Tenant.Users.FirstOrDefault(u =>
            Guid.TryParse(id, out var guid) ? u.Id == guid : string.Equals(u.UserPrincipalName, id, StringComparison.OrdinalIgnoreCase));
        return user is null ? GraphErrors.NotFound(id) : ODataQuery.Single(context, GraphEntities.Users, GraphEntities.ToGraph(user));
    }

    private static async Task<IResult> ListServicePrincipalsAsync(HttpContext context, EmulatorState state) =>
        await GuardAsync(context, state, GraphAuthorization.ReadServicePrincipals)
        ?? ODataQuery.List(context, GraphEntities.ServicePrincipals, state.Tenant.ServicePrincipals.Select(sp => GraphEntities.ToGraph(sp, state.Tenant.TenantId)));

    private static async Task<IResult> GetServicePrincipalAsync(HttpContext context, string id, EmulatorState state)
    {
        if (await GuardAsync(context, state, GraphAuthorization.ReadServicePrincipals) is { } denied)
        {
            return denied;
        }

        return FindServicePrincipal(state, id) is { } sp
            ? ODataQuery.Single(context, GraphEntities.ServicePrincipals, GraphEntities.ToGraph(sp, state.Tenant.TenantId))
            : GraphErrors.NotFound(id);
    }

    // appRoleAssignedTo lists who holds roles on this service principal (it is the resource);
    // appRoleAssignments lists the roles this service principal holds on others (it is the principal).
    private static async Task<IResult> ListAssignmentsAsync(HttpContext context, string id, EmulatorState state, bool assignedTo)
    {
        if (await GuardAsync(context, state, GraphAuthorization.ReadServicePrincipals) is { } denied)
        {
            return denied;
        }

        if (FindServicePrincipal(state, id) is not { } sp)
        {
            return GraphErrors.NotFound(id);
        }

        var assignments = state.Tenant.Assignments.Where(a => (assignedTo ? a.ResourceId : a.PrincipalId) == sp.Id);
        return ODataQuery.List(context, GraphEntities.AppRoleAssignments, assignments.Select(a => GraphEntities.ToGraph(a, state.Tenant)));
    }

    private static async Task<IResult> AssignAsync(HttpContext context, string id, EmulatorState state, bool assignedTo)
    {
        if (await GuardAsync(context, state, GraphAuthorization.GrantAppRoles) is { } denied)
        {
            return denied;
        }

        if (FindServicePrincipal(state, id) is not { } sp)
        {
            return GraphErrors.NotFound(id);
        }

        if (await ReadAssignmentAsync(context) is not { } body)
        {
            return GraphErrors.BadRequest("The request body must be a JSON object with the GUIDs principalId, resourceId and appRoleId.");
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

    private static async Task<IResult> UnassignAsync(HttpContext context, string id, string assignmentId, EmulatorState state, bool assignedTo)
    {
        if (await GuardAsync(context, state, GraphAuthorization.RevokeAppRoles) is { } denied)
        {
            return denied;
        }

        var assignment = FindServicePrincipal(state, id) is { } sp
            ? state.Tenant.Assignments.FirstOrDefault(a => a.Id == assignmentId && (assignedTo ? a.ResourceId : a.PrincipalId) == sp.Id)
            : null;
        return assignment is not null && state.Tenant.RemoveAssignment(assignment.Id) ? Results.NoContent() : GraphErrors.NotFound(assignmentId);
    }

    private static async Task<IResult?> GuardAsync(HttpContext context, EmulatorState state, Permissions permissions)
    {
        var step = await state.Gate.EnterAsync(context, EndpointNames.Graph, context.Request.Path);
        return EndpointGate.Render(step, GraphErrors.FromFault) ?? await state.GraphAuthorization.AuthorizeAsync(context, permissions);
    }

    private static ServicePrincipal? FindServicePrincipal(EmulatorState state, string id) =>
        Guid.TryParse(id, out var guid) ? state.Tenant.FindServicePrincipal(guid) : null;

    private static async Task<AssignmentRequest?> ReadAssignmentAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
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
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String && Guid.TryParse(property.GetString(), out value);
    }

    private sealed record AssignmentRequest(Guid PrincipalId, Guid ResourceId, Guid AppRoleId);
}
