using IdentityEmulator.Faults;
using IdentityEmulator.Tokens;

namespace IdentityEmulator.Endpoints;

/// <summary>
/// Entra's OpenID Connect discovery documents and signing keys, at the same paths under the emulator's address as
/// under https://login.microsoftonline.com, so an API changes only its metadata address to validate emulator tokens.
/// </summary>
internal static class MetadataEndpoints
{
    private static readonly string[] AuthMethods = ["client_secret_post", "private_key_jwt", "client_secret_basic"];
    private static readonly string[] ResponseModes = ["query", "fragment", "form_post"];
    private static readonly string[] SubjectTypes = ["pairwise"];
    private static readonly string[] SigningAlgorithms = ["RS256"];
    private static readonly string[] ResponseTypes = ["code", "id_token", "code id_token", "token id_token", "token"];
    private static readonly string[] Scopes = ["openid", "profile", "email", "offline_access"];
    private static readonly string[] Claims =
        ["sub", "iss", "aud", "exp", "iat", "nbf", "oid", "tid", "ver", "roles", "appid", "azp", "idtyp"];

    public static IEndpointRouteBuilder MapMetadataEndpoints(this IEndpointRouteBuilder app)
    {
        var faulted = new FaultedEndpoint(
            EndpointNames.Metadata,
            FaultedEndpoint.ReadPath,
            (_, status, message) => Error(status, message));
        var metadata = app.MapGroup("")
            .WithMetadata(faulted)
            .AddEndpointFilter<FaultInjectionFilter>();

        metadata.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", OpenIdConfigurationV2);
        metadata.MapGet("/{tenant}/.well-known/openid-configuration", OpenIdConfigurationV1);
        metadata.MapGet("/{tenant}/discovery/v2.0/keys", Keys);
        metadata.MapGet("/{tenant}/discovery/keys", Keys);
        return app;
    }

    private static IResult OpenIdConfigurationV2(HttpContext context, string tenant, EmulatorState state) =>
        OpenIdConfiguration(context, tenant, state, version: 2);

    private static IResult OpenIdConfigurationV1(HttpContext context, string tenant, EmulatorState state) =>
        OpenIdConfiguration(context, tenant, state, version: 1);

    private static IResult OpenIdConfiguration(HttpContext context, string tenant, EmulatorState state, int version)
    {
        if (!IsKnownTenant(tenant, state))
        {
            return UnknownTenant(tenant);
        }

        // "common" and "organizations" documents carry a {tenantid} template, as Entra's do; validators
        // substitute the token's tid.
        var tid = Guid.TryParse(tenant, out _) ? state.Tenant.TenantId.ToString() : "{tenantid}";
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}/{tenant}";
        var issuer = version == 2 ? $"https://login.microsoftonline.com/{tid}/v2.0" : $"https://sts.windows.net/{tid}/";
        var oauth = version == 2 ? "oauth2/v2.0" : "oauth2";
        return Results.Json(new Dictionary<string, object>
        {
            ["token_endpoint"] = $"{baseUrl}/{oauth}/token",
            ["token_endpoint_auth_methods_supported"] = AuthMethods,
            ["jwks_uri"] = version == 2 ? $"{baseUrl}/discovery/v2.0/keys" : $"{baseUrl}/discovery/keys",
            ["response_modes_supported"] = ResponseModes,
            ["subject_types_supported"] = SubjectTypes,
            ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
            ["response_types_supported"] = ResponseTypes,
            ["scopes_supported"] = Scopes,
            ["issuer"] = issuer,
            ["authorization_endpoint"] = $"{baseUrl}/{oauth}/authorize",
            ["claims_supported"] = Claims,
            ["tenant_region_scope"] = "EMU",
        });
    }

    private static IResult Keys(string tenant, EmulatorState state)
    {
        if (!IsKnownTenant(tenant, state))
        {
            return UnknownTenant(tenant);
        }

        var jwk = state.Keys.Jwk;
        return Results.Json(new
        {
            keys = new[]
            {
                new
                {
                    kty = jwk.Kty,
                    use = jwk.Use,
                    kid = jwk.Kid,
                    n = jwk.N,
                    e = jwk.E,
                    issuer = TokenIssuer.V2Issuer(state.Tenant.TenantId),
                },
            },
        });
    }

    private static bool IsKnownTenant(string tenant, EmulatorState state) =>
        tenant is "common" or "organizations" || Guid.TryParse(tenant, out var id) && id == state.Tenant.TenantId;

    private static IResult UnknownTenant(string tenant) =>
        Error(
            StatusCodes.Status400BadRequest,
            $"AADSTS90002: Tenant '{tenant}' not found. "
            + "Check to make sure you have the correct tenant ID and are signing into the correct cloud.");

    private static IResult Error(int status, string description)
    {
        var error = status == 400 ? "invalid_tenant" : "server_error";
        return Results.Json(new { error, error_description = description }, statusCode: status);
    }
}
