using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdentityEmulator.Faults;
using IdentityEmulator.Tenant;
using IdentityEmulator.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityEmulator.Endpoints;

/// <summary>
/// Entra's v2.0 token endpoint for the client credentials flow, as Azure.Identity's EnvironmentCredential,
/// ClientSecretCredential, ClientCertificateCredential and WorkloadIdentityCredential call it: a client secret, a
/// certificate's client assertion or a federated assertion buys an app-only token (roles from the app's service
/// principal, no scp). Errors carry Entra's AADSTS codes and wording.
/// </summary>
internal static class EntraTokenEndpoint
{
    public const string JwtBearerAssertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private const string FederatedCheck =
        "Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.";

    // Entra's default access-token lifetime for the client credentials flow (it varies it between 60 and 90 minutes).
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public static IEndpointRouteBuilder MapEntraTokenEndpoint(this IEndpointRouteBuilder app)
    {
        var faulted = new FaultedEndpoint(
            EndpointNames.Entra,
            ReadRequestedScopeAsync,
            (context, status, message) => Error(context, status, "temporarily_unavailable", 90033, message));
        app.MapPost("/{tenant}/oauth2/v2.0/token", TokenAsync)
            .WithMetadata(faulted)
            .AddEndpointFilter<FaultInjectionFilter>();
        return app;
    }

    // Counted, and faults matched, by the scope requested, as the identity endpoints are by resource.
    private static async ValueTask<string?> ReadRequestedScopeAsync(HttpContext context)
    {
        var form = await ReadFormAsync(context);
        return form["scope"].FirstOrDefault();
    }

    // A request without a form body is answered with Entra's missing-parameter errors, not a framework error.
    private static async Task<IFormCollection> ReadFormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return FormCollection.Empty;
        }

        return await context.Request.ReadFormAsync(context.RequestAborted);
    }

    private static async Task<IResult> TokenAsync(HttpContext context, string tenant, EmulatorState state)
    {
        // The fault filter has read the form already; ASP.NET Core keeps it, so this reads no body again.
        var form = await ReadFormAsync(context);

        // Entra answers on HTTPS only, and Azure.Identity refuses an http authority host anyway.
        if (!context.Request.IsHttps)
        {
            return Error(context, 400, "invalid_request", 90008,
                "The token endpoint is served over HTTPS only: "
                + "use the emulator's HTTPS address as the authority host.");
        }

        if (!string.Equals(tenant, state.Tenant.TenantId.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            return Error(context, 400, "invalid_tenant", 90002,
                $"Tenant '{tenant}' not found. "
                + "Check to make sure you have the correct tenant ID and are signing into the correct cloud. "
                + "Check with your subscription administrator, "
                + "this may happen if there are no active subscriptions for the tenant.");
        }

        foreach (var required in new[] { "grant_type", "client_id", "scope" })
        {
            if (string.IsNullOrEmpty(form[required]))
            {
                return Error(context, 400, "invalid_request", 900144,
                    $"The request body must contain the following parameter: '{required}'.");
            }
        }

        if (form["grant_type"] != "client_credentials")
        {
            return Error(context, 400, "unsupported_grant_type", 70003,
                $"The app requested an unsupported grant type '{form["grant_type"]}'.");
        }

        var clientId = form["client_id"].ToString();
        var registration = Guid.TryParse(clientId, out var appId)
            ? state.Tenant.Applications.FirstOrDefault(a => a.AppId == appId)
            : null;
        if (registration is null || state.Tenant.FindServicePrincipalOfApp(appId) is not { } servicePrincipal)
        {
            return Error(context, 400, "unauthorized_client", 700016,
                $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. "
                + "This can happen if the application has not been installed by the administrator of the tenant "
                + "or consented to by any user in the tenant. "
                + "You may have sent your authentication request to the wrong tenant.");
        }

        var authentication = AuthenticateClient(context, tenant, form, registration, state.Keys.Key);
        if (authentication.Error is { } refused)
        {
            return refused;
        }

        var scope = form["scope"].ToString();
        if (!scope.EndsWith("/.default", StringComparison.OrdinalIgnoreCase))
        {
            return Error(context, 400, "invalid_scope", 1002012,
                $"The provided value for scope {scope} is not valid. "
                + "Client credential flows must have a scope value with /.default suffixed to the resource identifier "
                + "(application ID URI).");
        }

        if (state.Tenant.ResolveResource(scope) is not { } resource)
        {
            var resourceName = scope[..^"/.default".Length];
            return Error(context, 400, "invalid_resource", 500011,
                $"The resource principal named {resourceName} was not found in the tenant named {tenant}. "
                + "This can happen if the application has not been installed by the administrator of the tenant "
                + "or consented to by any user in the tenant. "
                + "You might have sent your authentication request to the wrong tenant.");
        }

        var principal = new AppPrincipal(servicePrincipal.Id, appId, authentication.ClientAuthentication, null);
        var token = state.Issuer.Issue(principal, resource, Lifetime);
        var expiresIn = (long)(token.ExpiresOn - token.IssuedAt).TotalSeconds;
        return Results.Json(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = expiresIn,
            ["ext_expires_in"] = expiresIn,
            ["access_token"] = token.AccessToken,
        });
    }

    // A client proves itself with a secret, or with a client assertion: a JWT signed by its certificate or by an issuer
    // it trusts through a federated credential.
    private static Authentication AuthenticateClient(
        HttpContext context, string tenant, IFormCollection form, AppRegistration registration, SecurityKey emulatorKey)
    {
        if (form.ContainsKey("client_secret"))
        {
            return Secret(context, registration, form["client_secret"].ToString());
        }

        if (form["client_assertion_type"] == JwtBearerAssertion)
        {
            return Assertion(context, tenant, registration, form["client_assertion"].ToString(), emulatorKey);
        }

        return Failure(Error(context, 401, "invalid_client", 7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."));
    }

    private static Authentication Secret(HttpContext context, AppRegistration registration, string presented)
    {
        if (registration.Secrets.FirstOrDefault(s => ClientSecrets.Matches(s, presented)) is not { } secret)
        {
            return Failure(Error(context, 401, "invalid_client", 7000215,
                "Invalid client secret provided. "
                + "Ensure the secret being sent in the request is the client secret value, not the client secret ID, "
                + $"for a secret added to app '{registration.AppId}'."));
        }

        return secret.EndDateTime < DateTimeOffset.UtcNow
            ? Failure(Error(context, 401, "invalid_client", 7000222,
                $"The provided client secret keys for app '{registration.AppId}' are expired. "
                + "Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, "
                + "or consider using certificate credentials for added security: https://aka.ms/certCreds."))
            : new Authentication("1", null);
    }

    // A certificate's assertion names the certificate in its header (x5t, x5t#S256); a federated one comes from an
    // issuer the app trusts through a federated credential.
    private static Authentication Assertion(
        HttpContext context, string tenant, AppRegistration registration, string text, SecurityKey emulatorKey)
    {
        JsonWebToken? assertion;
        try
        {
            assertion = new JsonWebToken(text);
        }
        catch (ArgumentException)
        {
            assertion = null;
        }

        // Entra takes RSA-signed assertions (MSAL signs with PS256, other clients RS256);
        // unsigned or other ones are malformed.
        if (assertion is null || assertion.Alg is not ("RS256" or "PS256") || assertion.EncodedSignature.Length == 0)
        {
            return Failure(Error(context, 401, "invalid_client", 50027, "JWT token is invalid or malformed."));
        }

        var now = DateTimeOffset.UtcNow;
        if (assertion.ValidTo < now.UtcDateTime.AddMinutes(-5) || assertion.ValidFrom > now.UtcDateTime.AddMinutes(5))
        {
            return Failure(Error(context, 401, "invalid_client", 700024, string.Create(CultureInfo.InvariantCulture,
                $"Client assertion is not within its valid time range. "
                + $"Current time: {now:yyyy-MM-ddTHH:mm:ss.fffffffZ}, "
                + $"assertion valid from {assertion.ValidFrom:yyyy-MM-ddTHH:mm:ss.fffffffZ}, "
                + $"expiry time of assertion {assertion.ValidTo:yyyy-MM-ddTHH:mm:ss.fffffffZ}.")));
        }

        // An app signs its own assertion (iss: an app id) and names its certificate; a federated token comes from an
        // issuer's URL, and may carry x5t too (GitHub's do).
        var namesCertificate = assertion.TryGetHeaderValue<string>("x5t", out _)
            || assertion.TryGetHeaderValue<string>("x5t#S256", out _);
        return namesCertificate && Guid.TryParse(assertion.Issuer, out _)
            ? Certificate(context, tenant, registration, assertion)
            : Federated(context, registration, assertion, emulatorKey);
    }

    private static Authentication Certificate(
        HttpContext context, string tenant, AppRegistration registration, JsonWebToken assertion)
    {
        var (sha1, sha256) = (Thumbprint(assertion, "x5t"), Thumbprint(assertion, "x5t#S256"));
        var registered = registration.Certificates.FirstOrDefault(c =>
            (sha1 is not null && c.Certificate.GetCertHash(HashAlgorithmName.SHA1).AsSpan().SequenceEqual(sha1))
            || (sha256 is not null
                && c.Certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(sha256)));
        if (registered is null || registered.EndDateTime < DateTimeOffset.UtcNow)
        {
            var thumbprint = Convert.ToHexString(sha1 ?? sha256 ?? []);
            var reason = registered is null ? "The key was not found." : "The key used is expired.";
            return Failure(Error(context, 401, "invalid_client", 700027,
                "The certificate with identifier used to sign the client assertion is not registered on application. "
                + $"[Reason - {reason}, Thumbprint of key used by client: '{thumbprint}']"));
        }

        if (!Guid.TryParse(assertion.Issuer, out var issuer)
            || issuer != registration.AppId
            || !Guid.TryParse(assertion.Subject, out var subject)
            || subject != registration.AppId)
        {
            return Failure(Error(context, 401, "invalid_client", 700021,
                "Client assertion application identifier doesn't match 'client_id' parameter."));
        }

        // The audience is this token endpoint, under the address the client used.
        var endpoint = $"{context.Request.Scheme}://{context.Request.Host}/{tenant}/oauth2/v2.0/token";
        if (!assertion.Audiences.Any(a => string.Equals(a, endpoint, StringComparison.OrdinalIgnoreCase)))
        {
            return Failure(Error(context, 401, "invalid_client", 700023,
                "Client assertion audience claim does not match Realm issuer."));
        }

        return Verify(assertion, new X509SecurityKey(registered.Certificate))
            ? new Authentication("2", null)
            : Failure(Error(context, 401, "invalid_client", 700027, "Client assertion failed signature validation."));
    }

    private static Authentication Federated(
        HttpContext context, AppRegistration registration, JsonWebToken assertion, SecurityKey emulatorKey)
    {
        var trusted = registration.FederatedCredentials.Where(f => f.Issuer == assertion.Issuer).ToList();
        if (trusted.Count == 0)
        {
            return Failure(Error(context, 401, "invalid_client", 700211,
                "No matching federated identity record found for presented assertion "
                + $"issuer '{assertion.Issuer}'. {FederatedCheck}"));
        }

        trusted = [.. trusted.Where(f => f.Subject == assertion.Subject)];
        if (trusted.Count == 0)
        {
            return Failure(Error(context, 401, "invalid_client", 700213,
                "No matching federated identity record found for presented assertion "
                + $"subject '{assertion.Subject}'. {FederatedCheck}"));
        }

        if (!trusted.Any(f => f.Audiences.Any(assertion.Audiences.Contains)))
        {
            return Failure(Error(context, 401, "invalid_client", 700212,
                "No matching federated identity record found for presented assertion "
                + $"audience '{string.Join(",", assertion.Audiences)}'. {FederatedCheck}"));
        }

        // Entra fetches the issuer's signing keys from its OpenID metadata; the emulator knows only its own.
        if (assertion.Issuer != WorkloadTokens.Issuer)
        {
            return Failure(Error(context, 400, "invalid_request", 50166, "Request to External OIDC endpoint failed."));
        }

        return Verify(assertion, emulatorKey)
            ? new Authentication("2", null)
            : Failure(Error(context, 401, "invalid_client", 7000272,
                $"The certificate with identifier '{assertion.Kid}' used to sign the federated credential "
                + $"could not be found in the metadata of identity provider '{assertion.Issuer}'."));
    }

    private static bool Verify(JsonWebToken assertion, SecurityKey key)
    {
        var signed = Encoding.ASCII.GetBytes($"{assertion.EncodedHeader}.{assertion.EncodedPayload}");
        var provider = key.CryptoProviderFactory.CreateForVerifying(key, assertion.Alg);
        try
        {
            return provider.Verify(signed, Base64UrlEncoder.DecodeBytes(assertion.EncodedSignature));
        }
        catch (FormatException)
        {
            return false;
        }
        finally
        {
            key.CryptoProviderFactory.ReleaseSignatureProvider(provider);
        }
    }

    // A certificate's SHA-1 (x5t) or SHA-256 (x5t#S256) thumbprint from the header; null when absent or not base64url.
    private static byte[]? Thumbprint(JsonWebToken assertion, string header)
    {
        try
        {
            if (!assertion.TryGetHeaderValue<string>(header, out var value))
            {
                return null;
            }

            return Base64UrlEncoder.DecodeBytes(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Authentication Failure(IResult error) => new("", error);

    /// <summary>
    /// Entra's error body; the correlation id is the client's client-request-id when it sent one, as Entra echoes it.
    /// </summary>
    private static IResult Error(HttpContext context, int status, string error, int code, string description)
    {
        var timestamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ssZ", CultureInfo.InvariantCulture);
        var traceId = Guid.NewGuid().ToString();
        var correlationId = Guid.TryParse(context.Request.Headers["client-request-id"], out var clientRequestId)
            ? clientRequestId.ToString()
            : Guid.NewGuid().ToString();
        return Results.Json(
            new Dictionary<string, object>
            {
                ["error"] = error,
                ["error_description"] = $"AADSTS{code}: {description}\r\nTrace ID: {traceId}"
                    + $"\r\nCorrelation ID: {correlationId}\r\nTimestamp: {timestamp}",
                ["error_codes"] = new[] { code },
                ["timestamp"] = timestamp,
                ["trace_id"] = traceId,
                ["correlation_id"] = correlationId,
                ["error_uri"] = $"https://login.microsoftonline.com/error?code={code}",
            },
            statusCode: status);
    }

    private sealed record Authentication(string ClientAuthentication, IResult? Error);
}
