using System.Globalization;
using IdentityEmulator.Faults;
using IdentityEmulator.Tenant;

namespace IdentityEmulator.Endpoints;

/// <summary>
/// The two token protocols Azure.Identity speaks to a managed identity: App Service / Functions
/// (IDENTITY_ENDPOINT + IDENTITY_HEADER, api-version 2019-08-01) and IMDS (api-version 2018-02-01).
/// </summary>
internal static class ManagedIdentityEndpoints
{
    public const string AppServicePath = "/msi/token";
    public const string ImdsPath = "/metadata/identity/oauth2/token";

    public static IEndpointRouteBuilder MapManagedIdentityEndpoints(this IEndpointRouteBuilder app)
    {
        var appService = new FaultedEndpoint(
            EndpointNames.ManagedIdentity,
            ReadResource,
            (_, status, message) => AppServiceError(status, message));
        var imds = new FaultedEndpoint(
            EndpointNames.Imds,
            ReadResource,
            (_, status, message) => ImdsError(status, "invalid_request", message));

        app.MapGet(AppServicePath, AppServiceToken)
            .WithMetadata(appService)
            .AddEndpointFilter<FaultInjectionFilter>();
        app.MapGet(ImdsPath, ImdsToken)
            .WithMetadata(imds)
            .AddEndpointFilter<FaultInjectionFilter>();
        return app;
    }

    // Both protocols are counted, and their faults matched, by the resource a token is asked for.
    private static ValueTask<string?> ReadResource(HttpContext context) =>
        ValueTask.FromResult<string?>(context.Request.Query["resource"]);

    private static IResult AppServiceToken(HttpContext context, EmulatorState state)
    {
        var query = context.Request.Query;
        string? resource = query["resource"];

        // The platform checks the per-app secret before anything else: it is what keeps other processes on the
        // same host from borrowing the app's identity.
        var presented = context.Request.Headers["X-IDENTITY-HEADER"];
        if (!string.Equals(presented, state.IdentityHeader, StringComparison.Ordinal))
        {
            return AppServiceError(
                StatusCodes.Status401Unauthorized,
                "The X-IDENTITY-HEADER request header is missing or does not match IDENTITY_HEADER.");
        }

        if (query["api-version"] != "2019-08-01")
        {
            return AppServiceError(
                StatusCodes.Status400BadRequest,
                $"api-version '{query["api-version"]}' is not supported; use 2019-08-01.");
        }

        if (string.IsNullOrWhiteSpace(resource))
        {
            return AppServiceError(StatusCodes.Status400BadRequest, "The 'resource' query parameter is required.");
        }

        var selector = new IdentitySelector(
            query["client_id"], query["principal_id"].FirstOrDefault() ?? query["object_id"], query["mi_res_id"]);
        if (state.Tenant.FindManagedIdentity(selector) is not { } identity)
        {
            // The platform's words for "no such identity on this app" (wrong client id, or no identity enabled).
            return AppServiceError(StatusCodes.Status400BadRequest, "Unable to load the proper Managed Identity.");
        }

        if (state.Tenant.ResolveResource(resource) is not { } resolved)
        {
            return AppServiceError(StatusCodes.Status400BadRequest, ResourceNotFound(resource, state.Tenant.TenantId));
        }

        var token = state.PlatformTokens.Get(identity, resource, resolved);
        return TokenResponse(context, new Dictionary<string, string>
        {
            ["access_token"] = token.AccessToken,
            ["expires_on"] = token.ExpiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = identity.ClientId.ToString(),
        });
    }

    private static IResult ImdsToken(HttpContext context, EmulatorState state)
    {
        var query = context.Request.Query;
        string? resource = query["resource"];

        // IMDS refuses requests without Metadata: true, which keeps SSRF through a proxy from reaching it.
        if (!string.Equals(context.Request.Headers["Metadata"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return ImdsError(
                StatusCodes.Status400BadRequest, "invalid_request", "Required metadata header not specified");
        }

        if (string.IsNullOrEmpty(query["api-version"]))
        {
            return ImdsError(
                StatusCodes.Status400BadRequest, "invalid_request", "Required query variable 'api-version' is missing");
        }

        if (string.IsNullOrWhiteSpace(resource))
        {
            return ImdsError(
                StatusCodes.Status400BadRequest, "invalid_request", "Required query variable 'resource' is missing");
        }

        var selector = new IdentitySelector(
            query["client_id"], query["object_id"], query["msi_res_id"].FirstOrDefault() ?? query["mi_res_id"]);
        if (state.Tenant.FindManagedIdentity(selector) is not { } identity)
        {
            return ImdsError(StatusCodes.Status400BadRequest, "invalid_request", "Identity not found");
        }

        if (state.Tenant.ResolveResource(resource) is not { } resolved)
        {
            return ImdsError(
                StatusCodes.Status400BadRequest, "invalid_resource", ResourceNotFound(resource, state.Tenant.TenantId));
        }

        var token = state.PlatformTokens.Get(identity, resource, resolved);
        // From now: a token from the platform's cache has less left than it was issued with.
        var secondsLeft = (long)Math.Round((token.ExpiresOn - DateTimeOffset.UtcNow).TotalSeconds);
        var lifetime = secondsLeft.ToString(CultureInfo.InvariantCulture);
        return TokenResponse(context, new Dictionary<string, string>
        {
            ["access_token"] = token.AccessToken,
            ["client_id"] = identity.ClientId.ToString(),
            ["expires_in"] = lifetime,
            ["expires_on"] = token.ExpiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["ext_expires_in"] = lifetime,
            ["not_before"] = token.IssuedAt.AddMinutes(-5).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
        });
    }

    // Entra's AADSTS500011, the error users meet when the API's Application ID URI was never set or is mistyped.
    internal static string ResourceNotFound(string resource, Guid tenantId) =>
        $"AADSTS500011: The resource principal named {resource} was not found in the tenant named {tenantId}. "
        + "This can happen if the application has not been installed by the administrator of the tenant "
        + "or consented to by any user in the tenant. "
        + "You might have sent your authentication request to the wrong tenant.";

    private static IResult TokenResponse(HttpContext context, Dictionary<string, string> fields)
    {
        if (FaultInjectionFilter.ScriptedStep(context)?.Fault == FaultKind.MissingAccessToken)
        {
            fields.Remove("access_token");
        }

        return Results.Json(fields);
    }

    private static IResult AppServiceError(int status, string message) =>
        Results.Json(new { statusCode = status, message, correlationId = Guid.NewGuid() }, statusCode: status);

    private static IResult ImdsError(int status, string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: status);
}
