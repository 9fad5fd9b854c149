using Azure.Core;
using Azure.Identity;
using IdentityEmulator.Faults;
using IdentityEmulator.Tests.Infrastructure;
using TestSupport;

namespace IdentityEmulator.Tests;

/// <summary>The real Azure.Identity credentials against the emulator's two managed-identity protocols.</summary>
[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class ManagedIdentityCredentialTests
{
    [Fact]
    public async Task GetToken_SystemAssignedOverAppServiceProtocol_ReturnsEntraShapedTokenWithAssignedRole()
    {
        var tenant = new TestTenant();
        tenant.AssignApiToSystem(tenant.ApiReadRoleId);
        await using var emulator = await tenant.StartAsync();
        using var environment = ManagedIdentityEnvironment.AppService(emulator);
        var credential = new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);

        var token = await credential.GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None);

        var jwt = Jwt.Read(token.Token);
        Assert.Equal("RS256", jwt.Alg);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal(tenant.ApiAppId.ToString(), jwt.GetClaim("aud").Value);
        Assert.Equal($"https://login.microsoftonline.com/{tenant.TenantId}/v2.0", jwt.Issuer);
        Assert.Equal("2.0", jwt.GetClaim("ver").Value);
        Assert.Equal("app", jwt.GetClaim("idtyp").Value);
        Assert.Equal(tenant.SystemObjectId.ToString(), jwt.GetClaim("oid").Value);
        Assert.Equal(tenant.SystemObjectId.ToString(), jwt.Subject);
        Assert.Equal(tenant.SystemClientId.ToString(), jwt.GetClaim("azp").Value);
        Assert.Equal(tenant.TenantId.ToString(), jwt.GetClaim("tid").Value);
        Assert.EndsWith("/providers/Microsoft.Web/sites/func-test", jwt.GetClaim("xms_mirid").Value, StringComparison.Ordinal);
        Assert.Equal(["Api.Read"], Jwt.Roles(jwt));
        Assert.InRange(token.ExpiresOn - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));
        Assert.Equal(1, emulator.RequestCount("managedIdentity", tenant.ApiAppIdUri));
    }

    [Fact]
    public async Task GetToken_V1Application_CarriesAppIdUriAudienceAndStsIssuer()
    {
        var tenant = new TestTenant { ApiTokenVersion = 1 };
        tenant.AssignApiToSystem(tenant.ApiWriteRoleId);
        await using var emulator = await tenant.StartAsync();
        using var environment = ManagedIdentityEnvironment.AppService(emulator);

        var token = await SystemAssignedTokenAsync(tenant.ApiAppIdUri);

        var jwt = Jwt.Read(token.Token);
        Assert.Equal(tenant.ApiAppIdUri, jwt.GetClaim("aud").Value);
        Assert.Equal($"https://sts.windows.net/{tenant.TenantId}/", jwt.Issuer);
        Assert.Equal("1.0", jwt.GetClaim("ver").Value);
        Assert.Equal(tenant.SystemClientId.ToString(), jwt.GetClaim("appid").Value);
        Assert.Equal(["Api.Write"], Jwt.Roles(jwt));
    }

    [Fact]
    public async Task GetToken_UserAssignedByClientId_IssuesTokenForThatIdentity()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        using var environment = ManagedIdentityEnvironment.AppService(emulator);
        var credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(tenant.UserAssignedClientId.ToString()));

        var token = await credential.GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None);

        var jwt = Jwt.Read(token.Token);
        Assert.Equal(tenant.UserAssignedObjectId.ToString(), jwt.GetClaim("oid").Value);
        Assert.Contains("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-test-user", jwt.GetClaim("xms_mirid").Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetToken_IdentityWithoutAssignment_TokenHasNoRolesClaimAtAll()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        using var environment = ManagedIdentityEnvironment.AppService(emulator);

        var token = await SystemAssignedTokenAsync(tenant.ApiAppIdUri);

        Assert.False(Jwt.Read(token.Token).TryGetClaim("roles", out _));
    }

    [Fact]
    public async Task GetToken_ApplicationIdUriNotRegistered_FailsWithAadsts500011NamingTheResource()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        using var environment = ManagedIdentityEnvironment.AppService(emulator);
        var unknown = $"api://{Guid.NewGuid()}";

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(async () =>
            await SystemAssignedTokenAsync(unknown));

        Assert.Contains("AADSTS500011", error.Message, StringComparison.Ordinal);
        Assert.Contains(unknown, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetToken_UnknownUserAssignedClientId_FailsWithPlatformMessage()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        using var environment = ManagedIdentityEnvironment.AppService(emulator);
        var credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(Guid.NewGuid().ToString()));

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(async () =>
            await credential.GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None));

        Assert.Contains("Unable to load the proper Managed Identity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetToken_OverImdsProtocol_IssuesToken()
    {
        var (emulator, tenant) = await SharedImdsEmulator.GetAsync();
        using var environment = ManagedIdentityEnvironment.Imds(emulator);
        var before = emulator.RequestCount("imds", tenant.ApiAppIdUri);

        var token = await SystemAssignedTokenAsync(tenant.ApiAppIdUri);

        var jwt = Jwt.Read(token.Token);
        Assert.Equal(tenant.SystemObjectId.ToString(), jwt.GetClaim("oid").Value);
        Assert.Equal(["Api.Read"], Jwt.Roles(jwt));
        Assert.True(emulator.RequestCount("imds", tenant.ApiAppIdUri) - before <= 1, "at most one IMDS request (none when MSAL's cache already holds the token)");
        Assert.Equal(0, emulator.RequestCount("managedIdentity"));
    }

    [Fact]
    public async Task GetToken_UnknownResourceOverImds_FailsWithAadsts500011()
    {
        var (emulator, _) = await SharedImdsEmulator.GetAsync();
        using var environment = ManagedIdentityEnvironment.Imds(emulator);
        var unknown = $"api://{Guid.NewGuid()}";

        var error = await Assert.ThrowsAnyAsync<AuthenticationFailedException>(async () =>
            await SystemAssignedTokenAsync(unknown));

        Assert.Contains("AADSTS500011", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultAzureCredential_WithIdentityEndpoint_UsesManagedIdentity()
    {
        var tenant = new TestTenant();
        tenant.AssignApiToSystem(tenant.ApiReadRoleId);
        await using var emulator = await tenant.StartAsync();
        using var environment = ManagedIdentityEnvironment.AppService(emulator);

        var token = await new DefaultAzureCredential().GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None);

        Assert.Equal(tenant.SystemObjectId.ToString(), Jwt.Read(token.Token).GetClaim("oid").Value);
        Assert.Equal(1, emulator.RequestCount("managedIdentity", tenant.ApiAppIdUri));
    }

    // DefaultAzureCredential first probes IMDS without the Metadata header and treats the 400 as "IMDS is here"
    // only when the host is 169.254.169.254 (ImdsManagedIdentityProbeSource.IsRetriableProbeRequest). Against any
    // other IMDS address the probe reads as "identity not assigned"; AZURE_TOKEN_CREDENTIALS skips the probe.
    [Fact]
    public async Task DefaultAzureCredential_OverImdsWithTokenCredentialsSetting_UsesManagedIdentity()
    {
        var (emulator, tenant) = await SharedImdsEmulator.GetAsync();
        using var environment = ManagedIdentityEnvironment.Imds(emulator, tokenCredentials: "ManagedIdentityCredential");
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = tenant.UserAssignedClientId.ToString() });

        var token = await credential.GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None);

        Assert.Equal(tenant.UserAssignedObjectId.ToString(), Jwt.Read(token.Token).GetClaim("oid").Value);
        Assert.True(emulator.RequestCount("imds") >= 1);
    }

    [Fact]
    public async Task GetToken_TwoServerErrorsThenSuccess_SucceedsAfterRetries()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        emulator.AddFault(new FaultRule
        {
            Endpoint = "managedIdentity",
            Sequence = [new FaultStep { Status = 500 }, new FaultStep { Status = 503 }],
        });
        using var environment = ManagedIdentityEnvironment.AppService(emulator);

        var token = await SystemAssignedTokenAsync(tenant.ApiAppIdUri);

        Assert.NotEmpty(token.Token);
        Assert.Equal(3, emulator.RequestCount("managedIdentity", tenant.ApiAppIdUri));
    }

    [Fact]
    public async Task GetToken_ThrottledWithRetryAfter_WaitsAndSucceeds()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        emulator.AddFault(new FaultRule { Endpoint = "managedIdentity", Sequence = [new FaultStep { Status = 429, RetryAfterSeconds = 1 }] });
        using var environment = ManagedIdentityEnvironment.AppService(emulator);

        var token = await SystemAssignedTokenAsync(tenant.ApiAppIdUri);

        Assert.NotEmpty(token.Token);
        Assert.Equal(2, emulator.RequestCount("managedIdentity", tenant.ApiAppIdUri));
    }

    [Fact]
    public async Task GetToken_EndpointDown_FailsWithoutToken()
    {
        var tenant = new TestTenant();
        var emulator = await tenant.StartAsync();
        using var environment = ManagedIdentityEnvironment.AppService(emulator);
        await emulator.DisposeAsync();
        // Retries of a refused connection only slow the test down; the outcome is the same.
        var options = new ManagedIdentityCredentialOptions(ManagedIdentityId.SystemAssigned) { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10) } };

        var error = await Assert.ThrowsAnyAsync<AuthenticationFailedException>(async () =>
            await SystemAssignedTokenAsync(tenant.ApiAppIdUri, options));

        Assert.Contains("ManagedIdentityCredential", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetToken_ResponseWithoutAccessToken_Fails()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        emulator.AddFault(new FaultRule { Endpoint = "managedIdentity", Sequence = [new FaultStep { Fault = FaultKind.MissingAccessToken }] });
        using var environment = ManagedIdentityEnvironment.AppService(emulator);

        await Assert.ThrowsAnyAsync<AuthenticationFailedException>(async () =>
            await SystemAssignedTokenAsync(tenant.ApiAppIdUri));
    }

    private static async Task<AccessToken> SystemAssignedTokenAsync(string resource, ManagedIdentityCredentialOptions? options = null) =>
        await new ManagedIdentityCredential(options ?? new ManagedIdentityCredentialOptions(ManagedIdentityId.SystemAssigned))
            .GetTokenAsync(new TokenRequestContext([resource + "/.default"]), CancellationToken.None);
}
