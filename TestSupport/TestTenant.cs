using System.Security.Cryptography;
using System.Text.Json;
using IdentityEmulator;
using IdentityEmulator.Tenant;
using IdentityEmulator.Tokens;

namespace TestSupport;

/// <summary>
/// A tenant with fresh ids for one test. Fresh ids matter: MSAL caches managed-identity tokens process-wide by
/// identity and resource, so a test that reused another test's client id or App ID URI could be handed a token
/// that a different emulator instance signed.
/// </summary>
public sealed class TestTenant
{
    // One signing key for every emulator a test process starts (a test that needs its own sets KeyFile to null): a new
    // 2048-bit RSA key costs about 0.2 s here, and the suites start dozens of emulators one after the other.
    private static readonly Lazy<string> SharedKeyFile = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"identity-emulator-tests-{Guid.NewGuid():N}.pem");
        using var rsa = RSA.Create(2048);
        File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    public Guid TenantId { get; } = Guid.NewGuid();

    public Guid SystemObjectId { get; } = Guid.NewGuid();

    public Guid SystemClientId { get; } = Guid.NewGuid();

    public Guid UserAssignedObjectId { get; } = Guid.NewGuid();

    public Guid UserAssignedClientId { get; } = Guid.NewGuid();

    /// <summary>A second user-assigned identity that holds AppRoleAssignment.ReadWrite.All and Application.Read.All, as an admin script needs.</summary>
    public Guid AdminObjectId { get; } = Guid.NewGuid();

    public Guid AdminClientId { get; } = Guid.NewGuid();

    public Guid GraphServicePrincipalId { get; } = Guid.NewGuid();

    public Guid ApiAppId { get; } = Guid.NewGuid();

    public Guid ApiServicePrincipalId { get; } = Guid.NewGuid();

    public Guid ApiReadRoleId { get; } = Guid.NewGuid();

    public Guid ApiWriteRoleId { get; } = Guid.NewGuid();

    public string ApiAppIdUri => $"api://{ApiAppId}";

    /// <summary>An app registration with a service principal, as a developer's local service principal: no roles unless assigned.</summary>
    public Guid ClientAppId { get; } = Guid.NewGuid();

    public Guid ClientServicePrincipalId { get; } = Guid.NewGuid();

    /// <summary>The client app's secret; the tenant file holds only its hash.</summary>
    public string ClientSecret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));

    public DateTimeOffset? ClientSecretEndDateTime { get; init; }

    /// <summary>A certificate (with its private key) registered on the client app, when the test sets one.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The subject the client app's federated credential trusts from the emulator's workload-token issuer.</summary>
    public string WorkloadSubject { get; } = $"system:serviceaccount:test:{Guid.NewGuid():N}";

    public int ApiTokenVersion { get; init; } = 2;

    /// <summary>The API's delegated scope user_impersonation.</summary>
    public Guid ApiScopeId { get; } = Guid.NewGuid();

    /// <summary>Whether the API pre-authorizes the Azure CLI for user_impersonation, so that az can get a user token for it.</summary>
    public bool PreAuthorizeAzureCli { get; init; }

    public int UserCount { get; init; } = 5;

    /// <summary>The users' display names: by default <see cref="UserCount"/> of them, "Bea User 001", "Alex User 002"...</summary>
    public IReadOnlyList<string>? UserDisplayNames { get; init; }

    /// <summary>App-role assignments beyond the admin identity's: (principal, resource service principal, role id).</summary>
    public List<(Guid Principal, Guid Resource, Guid Role)> Assignments { get; } = [];

    public TestTenant Assign(Guid principal, Guid resource, Guid role)
    {
        Assignments.Add((principal, resource, role));
        return this;
    }

    public TestTenant AssignApiToSystem(Guid role) => Assign(SystemObjectId, ApiServicePrincipalId, role);

    /// <summary>Gives the user-assigned identity (the one most tests use) an application permission on Microsoft Graph.</summary>
    public TestTenant AssignGraphToUserAssigned(Guid role) => Assign(UserAssignedObjectId, GraphServicePrincipalId, role);

    public string ToJson()
    {
        var assignments = Assignments.Select(a => new { principalId = a.Principal, resourceId = a.Resource, appRoleId = a.Role })
            .Append(new { principalId = AdminObjectId, resourceId = GraphServicePrincipalId, appRoleId = MicrosoftGraph.AppRoleAssignmentReadWriteAll.Id })
            .Append(new { principalId = AdminObjectId, resourceId = GraphServicePrincipalId, appRoleId = MicrosoftGraph.ApplicationReadAll.Id });
        return JsonSerializer.Serialize(new
        {
            tenantId = TenantId,
            managedIdentities = new object[]
            {
                new { name = "func-test", type = "systemAssigned", objectId = SystemObjectId, clientId = SystemClientId },
                new { name = "id-test-user", type = "userAssigned", objectId = UserAssignedObjectId, clientId = UserAssignedClientId },
                new { name = "id-test-admin", type = "userAssigned", objectId = AdminObjectId, clientId = AdminClientId },
            },
            applications = new object[]
            {
                new
                {
                    displayName = "Test client",
                    appId = ClientAppId,
                    passwordCredentials = new[] { new { secretHash = ClientSecrets.Hash(ClientSecret), endDateTime = ClientSecretEndDateTime } },
                    keyCredentials = ClientCertificate is { } certificate ? new[] { new { key = Convert.ToBase64String(certificate.RawData) } } : [],
                    federatedIdentityCredentials = new[] { new { name = "workload", issuer = WorkloadTokens.Issuer, subject = WorkloadSubject } },
                },
                new
                {
                    displayName = "Test API",
                    appId = ApiAppId,
                    identifierUris = new[] { ApiAppIdUri },
                    requestedAccessTokenVersion = ApiTokenVersion,
                    oauth2PermissionScopes = new[] { new { id = ApiScopeId, value = "user_impersonation" } },
                    preAuthorizedApplications = PreAuthorizeAzureCli
                        ? new[] { new { appId = "04b07795-8ddb-461a-bbee-02f9e1bf7b46", delegatedPermissionIds = new[] { ApiScopeId } } }
                        : [],
                    appRoles = new[]
                    {
                        new { id = ApiReadRoleId, value = "Api.Read", allowedMemberTypes = new[] { "Application" } },
                        new { id = ApiWriteRoleId, value = "Api.Write", allowedMemberTypes = new[] { "Application" } },
                    },
                },
            },
            servicePrincipals = new[]
            {
                new { id = GraphServicePrincipalId, appId = MicrosoftGraph.AppId },
                new { id = ApiServicePrincipalId, appId = ApiAppId },
                new { id = ClientServicePrincipalId, appId = ClientAppId },
            },
            appRoleAssignments = assignments,
            users = (UserDisplayNames ?? [.. Enumerable.Range(1, UserCount).Select(i => $"{(i % 2 == 0 ? "Alex" : "Bea")} User {i:D3}")]).Select((name, index) => new
            {
                id = Guid.NewGuid(),
                displayName = name,
                userPrincipalName = $"user{index + 1:D3}@contoso.example",
                mail = $"user{index + 1:D3}@contoso.example",
                jobTitle = "Tester",
            }),
        });
    }

    public async Task<EmulatorApp> StartAsync(Func<EmulatorOptions, EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions { Port = 0, TenantJson = ToJson(), KeyFile = SharedKeyFile.Value };
        return await EmulatorApp.StartAsync(configure is null ? options : configure(options));
    }
}
