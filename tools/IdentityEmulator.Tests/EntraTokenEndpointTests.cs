using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Identity.Client;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace IdentityEmulator.Tests;

/// <summary>
/// The real Azure.Identity credentials (MSAL underneath) against the emulator's Entra token endpoint over HTTPS: a
/// client secret, a certificate and a federated workload token each buy an app-only token, and each refusal carries
/// Entra's AADSTS code. The transport trusts exactly the emulator's certificate, as SSL_CERT_FILE makes a process do.
/// </summary>
public sealed class EntraTokenEndpointTests
{
    private static readonly string[] GraphScope = ["https://graph.microsoft.com/.default"];

    [Fact]
    public async Task ClientSecret_BuysAnAppOnlyTokenWithTheRolesAssignedToTheAppsServicePrincipal()
    {
        var tenant = new TestTenant();
        tenant.Assign(tenant.ClientServicePrincipalId, tenant.GraphServicePrincipalId, MicrosoftGraph.UserReadAll.Id);
        await using var emulator = await tenant.StartAsync();

        var token = await new ClientSecretCredential(tenant.TenantId.ToString(), tenant.ClientAppId.ToString(), tenant.ClientSecret, Options<ClientSecretCredentialOptions>(emulator))
            .GetTokenAsync(new TokenRequestContext(GraphScope), CancellationToken.None);

        var jwt = Jwt.Read(token.Token);
        Assert.Equal(["User.Read.All"], Jwt.Roles(jwt));
        Assert.False(jwt.TryGetClaim("scp", out _));
        Assert.Equal(("app", "1"), (jwt.GetClaim("idtyp").Value, jwt.GetClaim("appidacr").Value));
        Assert.Equal(tenant.ClientAppId.ToString(), jwt.GetClaim("appid").Value);
        Assert.Equal(tenant.ClientServicePrincipalId.ToString(), jwt.GetClaim("oid").Value);
        Assert.False(jwt.TryGetClaim("xms_mirid", out _));
        Assert.InRange(token.ExpiresOn - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        Assert.Equal(1, emulator.RequestCount("entra"));
    }

    [Fact]
    public async Task Certificate_BuysAnAppOnlyTokenAuthenticatedByCertificate()
    {
        using var certificate = TestCertificates.Create();
        var tenant = new TestTenant { ClientCertificate = certificate };
        tenant.Assign(tenant.ClientServicePrincipalId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
        await using var emulator = await tenant.StartAsync();

        var token = await new ClientCertificateCredential(tenant.TenantId.ToString(), tenant.ClientAppId.ToString(), certificate, Options<ClientCertificateCredentialOptions>(emulator))
            .GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None);

        var jwt = Jwt.Read(token.Token);
        Assert.Equal(["Api.Read"], Jwt.Roles(jwt));
        Assert.Equal(("2", tenant.ClientAppId.ToString()), (jwt.GetClaim("azpacr").Value, jwt.GetClaim("azp").Value));
    }

    [Fact]
    public async Task FederatedWorkloadToken_BuysAnAppOnlyToken()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        var tokenFile = await WorkloadTokenFileAsync(emulator, tenant.WorkloadSubject);

        var token = await new WorkloadIdentityCredential(Options<WorkloadIdentityCredentialOptions>(emulator, o =>
            {
                o.TenantId = tenant.TenantId.ToString();
                o.ClientId = tenant.ClientAppId.ToString();
                o.TokenFilePath = tokenFile;
            }))
            .GetTokenAsync(new TokenRequestContext(GraphScope), CancellationToken.None);

        var jwt = Jwt.Read(token.Token);
        Assert.Equal(("2", tenant.ClientServicePrincipalId.ToString()), (jwt.GetClaim("appidacr").Value, jwt.GetClaim("oid").Value));
        Assert.False(jwt.TryGetClaim("roles", out _));
    }

    public static TheoryData<string, int> Refusals => new()
    {
        { "unknown tenant", 90002 },
        { "unknown app", 700016 },
        { "wrong secret", 7000215 },
        { "expired secret", 7000222 },
        { "resource without an Application ID URI", 500011 },
        { "unregistered certificate", 700027 },
        { "workload token for another subject", 700213 },
        { "workload token for another audience", 700212 },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusal_FailsTheCredentialWithEntrasCode(string refusal, int code)
    {
        var tenant = new TestTenant { ClientSecretEndDateTime = refusal == "expired secret" ? DateTimeOffset.UtcNow.AddDays(-1) : null };
        await using var emulator = await tenant.StartAsync();
        var (tenantId, clientId) = (tenant.TenantId.ToString(), tenant.ClientAppId.ToString());
        using var stranger = TestCertificates.Create();
        TokenCredential credential = refusal switch
        {
            "unknown tenant" => new ClientSecretCredential(Guid.NewGuid().ToString(), clientId, tenant.ClientSecret, Options<ClientSecretCredentialOptions>(emulator)),
            "unknown app" => new ClientSecretCredential(tenantId, Guid.NewGuid().ToString(), tenant.ClientSecret, Options<ClientSecretCredentialOptions>(emulator)),
            "wrong secret" => new ClientSecretCredential(tenantId, clientId, "not-the-secret", Options<ClientSecretCredentialOptions>(emulator)),
            "unregistered certificate" => new ClientCertificateCredential(tenantId, clientId, stranger, Options<ClientCertificateCredentialOptions>(emulator)),
            "workload token for another subject" => Workload(await WorkloadTokenFileAsync(emulator, "system:serviceaccount:test:someone-else")),
            "workload token for another audience" => Workload(await WorkloadTokenFileAsync(emulator, tenant.WorkloadSubject, "api://elsewhere")),
            _ => new ClientSecretCredential(tenantId, clientId, tenant.ClientSecret, Options<ClientSecretCredentialOptions>(emulator)),
        };
        string[] scope = refusal == "resource without an Application ID URI" ? ["api://no-such-api/.default"] : GraphScope;

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => credential.GetTokenAsync(new TokenRequestContext(scope), CancellationToken.None).AsTask());

        var msal = Assert.IsType<MsalServiceException>(error.InnerException, exactMatch: false);
        Assert.Contains($"AADSTS{code}:", msal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.ClientSecret, error.ToString(), StringComparison.Ordinal);

        WorkloadIdentityCredential Workload(string tokenFile) => new(Options<WorkloadIdentityCredentialOptions>(emulator, o =>
        {
            o.TenantId = tenantId;
            o.ClientId = clientId;
            o.TokenFilePath = tokenFile;
        }));
    }

    [Fact]
    public async Task Error_HasEntrasShapeAndEchoesTheClientRequestId()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        using var http = TrustingClient(emulator);
        var correlation = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.HttpsBaseAddress, $"{tenant.TenantId}/oauth2/v2.0/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["client_id"] = tenant.ClientAppId.ToString(),
                ["scope"] = GraphScope[0],
            }),
        };
        request.Headers.Add("client-request-id", correlation);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await EmulatorHttp.JsonAsync(response);
        Assert.Equal("unsupported_grant_type", body.GetProperty("error").GetString());
        Assert.StartsWith("AADSTS70003: The app requested an unsupported grant type 'password'.", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Contains($"Correlation ID: {correlation}", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(70003, body.GetProperty("error_codes")[0].GetInt32());
        Assert.Equal(correlation, body.GetProperty("correlation_id").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("trace_id").GetString(), out _));
    }

    [Fact]
    public async Task CertificateAssertion_SignedByAnotherKey_IsRefusedForItsSignature()
    {
        using var registered = TestCertificates.Create();
        using var stranger = TestCertificates.Create();
        var tenant = new TestTenant { ClientCertificate = registered };
        await using var emulator = await tenant.StartAsync();
        var endpoint = new Uri(emulator.HttpsBaseAddress, $"{tenant.TenantId}/oauth2/v2.0/token");
        // Names the registered certificate, as MSAL does (x5t#S256, PS256), but is signed with another key.
        var assertion = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = tenant.ClientAppId.ToString(),
            Audience = endpoint.ToString(),
            Claims = new Dictionary<string, object> { ["sub"] = tenant.ClientAppId.ToString(), ["jti"] = Guid.NewGuid().ToString() },
            AdditionalHeaderClaims = new Dictionary<string, object> { ["x5t#S256"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(registered.GetCertHash(HashAlgorithmName.SHA256)) },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(stranger.GetRSAPrivateKey()), "PS256"),
        });
        using var http = TrustingClient(emulator);

        using var response = await http.PostAsync(endpoint, AssertionForm(tenant, assertion));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("AADSTS700027: Client assertion failed signature validation.", (await EmulatorHttp.JsonAsync(response)).GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unsigned", 50027)]
    [InlineData("not a JWT", 50027)]
    [InlineData("x5t not base64url", 700027)]
    public async Task MalformedAssertion_IsRefusedWithEntrasCodeNotA500(string malformation, int code)
    {
        using var registered = TestCertificates.Create();
        var tenant = new TestTenant { ClientCertificate = registered };
        await using var emulator = await tenant.StartAsync();
        var endpoint = new Uri(emulator.HttpsBaseAddress, $"{tenant.TenantId}/oauth2/v2.0/token");
        var header = malformation == "x5t not base64url" ? """{"alg":"PS256","typ":"JWT","x5t#S256":"!!!"}""" : """{"alg":"none","typ":"JWT"}""";
        var payload = $$"""{"iss":"{{tenant.ClientAppId}}","sub":"{{tenant.ClientAppId}}","aud":"{{endpoint}}","exp":{{DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds()}}}""";
        var assertion = malformation == "not a JWT" ? "not-a-jwt"
            : $"{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(header)}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{(malformation == "unsigned" ? "" : "c2ln")}";
        using var http = TrustingClient(emulator);

        using var response = await http.PostAsync(endpoint, AssertionForm(tenant, assertion));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, (await EmulatorHttp.JsonAsync(response)).GetProperty("error_codes")[0].GetInt32());
    }

    [Fact]
    public async Task TokenEndpoint_OverPlainHttp_IsRefused()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();

        using var response = await EmulatorHttp.Client.PostAsync(new Uri(emulator.BaseAddress, $"{tenant.TenantId}/oauth2/v2.0/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = tenant.ClientAppId.ToString(),
            ["client_secret"] = tenant.ClientSecret,
            ["scope"] = GraphScope[0],
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False((await EmulatorHttp.JsonAsync(response)).TryGetProperty("access_token", out _));
    }

    private static FormUrlEncodedContent AssertionForm(TestTenant tenant, string assertion) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = tenant.ClientAppId.ToString(),
        ["scope"] = GraphScope[0],
        ["client_assertion_type"] = Endpoints.EntraTokenEndpoint.JwtBearerAssertion,
        ["client_assertion"] = assertion,
    });

    private static T Options<T>(EmulatorApp emulator, Action<T>? configure = null)
        where T : TokenCredentialOptions, new()
    {
        var options = new T { AuthorityHost = emulator.HttpsBaseAddress, Transport = new HttpClientTransport(TrustingHandler(emulator)) };
        // Offline, MSAL's instance discovery at login.microsoftonline.com would cost its retries first.
        _ = options switch
        {
            ClientSecretCredentialOptions o => o.DisableInstanceDiscovery = true,
            ClientCertificateCredentialOptions o => o.DisableInstanceDiscovery = true,
            WorkloadIdentityCredentialOptions o => o.DisableInstanceDiscovery = true,
            _ => throw new ArgumentException($"{typeof(T).Name} is not one of the credentials tested here"),
        };
        configure?.Invoke(options);
        return options;
    }

    private static HttpClient TrustingClient(EmulatorApp emulator) => new(TrustingHandler(emulator));

    private static HttpClientHandler TrustingHandler(EmulatorApp emulator)
    {
        var trusted = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(string.Concat(
            File.ReadAllLines(emulator.HttpsCertificateFile).Where(line => line.Length > 0 && !line.StartsWith("-----", StringComparison.Ordinal)))));
        return new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == trusted.Thumbprint };
    }

    private static async Task<string> WorkloadTokenFileAsync(EmulatorApp emulator, string subject, string? audience = null)
    {
        var query = $"subject={Uri.EscapeDataString(subject)}" + (audience is null ? "" : $"&audience={Uri.EscapeDataString(audience)}");
        using var response = await EmulatorHttp.Client.PostAsync(new Uri(emulator.BaseAddress, $"_emulator/workload-token?{query}"), null);
        response.EnsureSuccessStatusCode();
        var path = Path.Combine(Path.GetTempPath(), $"workload-token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(path, await response.Content.ReadAsStringAsync());
        return path;
    }
}
