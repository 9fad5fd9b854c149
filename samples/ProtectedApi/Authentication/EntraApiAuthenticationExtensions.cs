using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ProtectedApi.Authentication;

public static class EntraApiAuthenticationExtensions
{
    public const string ReadPolicy = "read";
    public const string WritePolicy = "write";

    /// <summary>
    /// JWT bearer validation of Entra access tokens for this API: signature from the tenant's published keys, issuer
    /// pinned to the tenant (v1.0 and v2.0 forms), audience the API's appId or Application ID URI, lifetime, and an
    /// authorization policy per endpoint that requires an app-only token with the configured application role.
    /// </summary>
    public static IHostApplicationBuilder AddEntraApiAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EntraApiOptions>()
            .BindConfiguration(EntraApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<EntraApiOptions>>((jwt, entra) => Configure(jwt, entra.Value));

        builder.Services.AddSingleton<IAuthorizationHandler, AppOnlyRequirement>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        builder.Services.AddAuthorization();
        builder.Services.AddOptions<AuthorizationOptions>()
            .Configure<IOptions<EntraApiOptions>>((authorization, entra) =>
            {
                authorization.AddPolicy(ReadPolicy, AppOnlyWithRole(entra.Value.ReadRole));
                authorization.AddPolicy(WritePolicy, AppOnlyWithRole(entra.Value.WriteRole));
            });
        return builder;
    }

    private static void Configure(JwtBearerOptions jwt, EntraApiOptions entra)
    {
        jwt.MetadataAddress = entra.Metadata;
        jwt.RequireHttpsMetadata = new Uri(entra.Metadata).Scheme == Uri.UriSchemeHttps;
        // Keep Entra's claim names (roles, oid, scp) instead of the legacy WS-Federation URIs.
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuers = entra.Issuers,
            ValidAudiences = [entra.ClientId, entra.Audience],
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            // The default would retry a token whose kid matches no published key against every key; a kid the
            // tenant never published is a reason to refuse, not to search.
            TryAllIssuerSigningKeys = false,
            NameClaimType = "oid",
            RoleClaimType = "roles",
        };
    }

    // Roles are matched as separate claims: JwtBearer turns a JSON array into one claim per value, so a multi-valued
    // roles claim must never be split or string-compared by hand. The policy names no scheme: Bearer is the default,
    // which UseAuthentication has already run; naming it would authenticate each request a second time.
    private static AuthorizationPolicy AppOnlyWithRole(string role) =>
        new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .AddRequirements(new AppOnlyRequirement())
            .RequireClaim("roles", role)
            .Build();
}
