using System.Text.Json;
using IdentityEmulator.Faults;
using IdentityEmulator.Tokens;

namespace IdentityEmulator.Endpoints;

/// <summary>
/// Test and operator controls: request counters, fault rules and the platform token cache. Answered only to loopback
/// callers, even when the emulator was bound to another address on purpose.
/// </summary>
internal static class AdminEndpoints
{
    public const string Prefix = "/_emulator";

    // What GET /_emulator/ answers, so the address the banner prints shows what else is there.
    private static readonly AdminRoute[] Routes =
    [
        new("GET", $"{Prefix}/", "this list"),
        new("GET", $"{Prefix}/health", "liveness and the tenant id"),
        new("GET", $"{Prefix}/counters", "requests received per endpoint and resource"),
        new("DELETE", $"{Prefix}/counters", "reset the request counters"),
        new("GET", $"{Prefix}/faults", "the active fault rules"),
        new("POST", $"{Prefix}/faults", "add a fault rule or an array of them (see docs/identity-emulator.md)"),
        new("DELETE", $"{Prefix}/faults", "remove all fault rules"),
        new("DELETE", $"{Prefix}/token-cache", "forget the managed-identity tokens the platform cache holds"),
        new(
            "GET",
            $"{Prefix}/azure-cli/token?resource=&tenant=&user=",
            "what the az stand-in prints for az account get-access-token: a user's delegated token"),
        new(
            "POST",
            $"{Prefix}/workload-token?subject=&audience=",
            "a workload token (AZURE_FEDERATED_TOKEN_FILE's content) from the emulator's issuer"),
    ];

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(Prefix);
        admin.AddEndpointFilter(LoopbackOnlyAsync);

        admin.MapGet("/", () => Results.Json(Routes));
        admin.MapGet("/health", (EmulatorState state) =>
            Results.Json(new { status = "ok", tenantId = state.Tenant.TenantId }));
        admin.MapGet("/counters", (EmulatorState state) => Results.Json(state.Counters.Snapshot()));
        admin.MapDelete("/counters", (EmulatorState state) =>
        {
            state.Counters.Reset();
            return Results.NoContent();
        });
        admin.MapGet("/faults", (EmulatorState state) => Results.Json(state.Faults.Rules));
        admin.MapPost("/faults", AddFaultsAsync);
        admin.MapDelete("/faults", (EmulatorState state) =>
        {
            state.Faults.Clear();
            return Results.NoContent();
        });
        admin.MapDelete("/token-cache", (EmulatorState state) =>
        {
            state.PlatformTokens.Clear();
            return Results.NoContent();
        });
        admin.MapGet("/azure-cli/token", AzureCliEndpoint.GetAccessToken);
        admin.MapPost("/workload-token", MintWorkloadToken);
        return app;
    }

    private static async ValueTask<object?> LoopbackOnlyAsync(
        EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote))
        {
            return await next(context);
        }

        return Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            detail: "The emulator's admin endpoints answer loopback callers only.");
    }

    private static IResult MintWorkloadToken(EmulatorState state, string? subject, string? audience)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                detail: "The 'subject' query parameter is required: the subject the app's federated credential names.");
        }

        var token = WorkloadTokens.Mint(
            state.Issuer, subject, audience ?? WorkloadTokens.DefaultAudience, TimeSpan.FromHours(1));
        return Results.Text(token);
    }

    // Accepts one rule or an array of rules, all or nothing.
    private static async Task<IResult> AddFaultsAsync(HttpContext context, EmulatorState state)
    {
        IReadOnlyList<FaultRule> rules;
        try
        {
            rules = await FaultRules.ReadAsync(context.Request.Body, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid fault rule",
                detail: $"The body is not a fault rule or an array of them: {e.Message}");
        }

        foreach (var rule in rules)
        {
            if (FaultInjector.Validate(rule) is { } error)
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status400BadRequest, title: "Invalid fault rule", detail: error);
            }
        }

        foreach (var rule in rules)
        {
            state.Faults.Add(rule);
        }

        return Results.Json(state.Faults.Rules, statusCode: StatusCodes.Status201Created);
    }

    private sealed record AdminRoute(string Method, string Path, string Description);
}
