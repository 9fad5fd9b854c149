using IdentityEmulator;
using TestSupport;
using Xunit.Abstractions;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace FunctionApp.WorkerProcess.Tests;

/// <summary>
/// The app's own DefaultAzureCredential (Identity__Credential=DefaultAzureCredential) in the worker process on the paths
/// a developer runs it locally: a service principal with a secret or a certificate, and a workload identity's token
/// file, each against the emulator's Entra token endpoint over HTTPS, trusted through SSL_CERT_FILE as on Linux.
/// </summary>
public sealed class LocalCredentialTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(LocalCredentialSettings.Secret)]
    [InlineData(LocalCredentialSettings.Certificate)]
    [InlineData(LocalCredentialSettings.WorkloadIdentity)]
    public async Task ServicePrincipal_GetsAnAppOnlyTokenWithItsRoles_AndGraphAnswers(string path)
    {
        using var certificate = TestCertificates.Create();
        var tenant = new TestTenant { ClientCertificate = certificate };
        tenant.Assign(tenant.ClientServicePrincipalId, tenant.GraphServicePrincipalId, MicrosoftGraph.UserReadAll.Id);
        await using var worker = await StartAsync(tenant, path);

        var users = await worker.GetAsync("api/graph/users?top=2");
        var claims = await worker.GetAsync("api/token/claims?target=graph");

        Assert.Equal("200", users.Outcome);
        Assert.Equal("200", claims.Outcome);
        var reported = claims.Json.GetProperty("claims");
        Assert.Equal(tenant.ClientServicePrincipalId.ToString(), reported.GetProperty("oid").GetString());
        Assert.Equal(tenant.ClientAppId.ToString(), reported.GetProperty("appid").GetString());
        Assert.Equal(["User.Read.All"], reported.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(claims.Json.GetProperty("verdict").GetProperty("ok").GetBoolean());
        // One token request for Graph, to the emulator's token endpoint, not to a managed-identity endpoint.
        Assert.Equal(1, worker.Emulator.RequestCount("entra"));
        Assert.Equal(0, worker.Emulator.RequestCount("managedIdentity"));
    }

    [Theory]
    [InlineData("wrong secret", "AADSTS7000215")]
    [InlineData("expired secret", "AADSTS7000222")]
    [InlineData("unknown app", "AADSTS700016")]
    [InlineData("unregistered certificate", "AADSTS700027")]
    [InlineData("workload token for another subject", "AADSTS700213")]
    [InlineData("unknown tenant", "AADSTS90002")]
    public async Task Refusal_Answers503NamingTheCredentialAndEntrasCode(string refusal, string code)
    {
        using var registered = TestCertificates.Create();
        using var stranger = TestCertificates.Create();
        var tenant = new TestTenant
        {
            ClientSecretEndDateTime = refusal == "expired secret" ? DateTimeOffset.UtcNow.AddDays(-1) : null,
            ClientCertificate = registered,
        };
        tenant.Assign(tenant.ClientServicePrincipalId, tenant.GraphServicePrincipalId, MicrosoftGraph.UserReadAll.Id);
        var path = refusal switch
        {
            "unregistered certificate" => LocalCredentialSettings.Certificate,
            "workload token for another subject" => LocalCredentialSettings.WorkloadIdentity,
            _ => LocalCredentialSettings.Secret,
        };
        await using var worker = await StartAsync(tenant, path, (settings, emulator) =>
        {
            switch (refusal)
            {
                case "wrong secret":
                    settings["AZURE_CLIENT_SECRET"] = "not-the-secret";
                    break;
                case "unknown app":
                    settings["AZURE_CLIENT_ID"] = Guid.NewGuid().ToString();
                    break;
                case "unknown tenant":
                    settings["AZURE_TENANT_ID"] = Guid.NewGuid().ToString();
                    break;
                case "unregistered certificate":
                    settings["AZURE_CLIENT_CERTIFICATE_PATH"] = LocalCredentialSettings.CertificateFile(stranger);
                    break;
                case "workload token for another subject":
                    settings["AZURE_FEDERATED_TOKEN_FILE"] = LocalCredentialSettings.WorkloadTokenFile(emulator, "system:serviceaccount:test:someone-else");
                    break;
            }
        });

        var answer = await worker.GetAsync("api/graph/users");

        output.WriteLine(answer.Body);
        Assert.Equal("503 No token available", answer.Outcome);
        Assert.StartsWith("DefaultAzureCredential (its whole chain; managed identity: system-assigned) could not get a token for https://graph.microsoft.com/.default: ", answer.Detail, StringComparison.Ordinal);
        // The credential of the chain that failed, and Entra's code with its reason.
        Assert.Matches($@": \w+Credential: {code}: \S", answer.Detail);
        Assert.DoesNotContain(tenant.ClientSecret, answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureCliSignIn_ForAnApiThatDidNotPreAuthorizeTheCli_Answers503WithTheClisReason()
    {
        var tenant = new TestTenant();
        // As run-local.ps1 --as azure-cli runs it: DefaultAzureCredential narrowed to the Azure CLI.
        await using var worker = await StartAsync(tenant, LocalCredentialSettings.AzureCli, (settings, _) =>
            settings["AZURE_TOKEN_CREDENTIALS"] = "AzureCliCredential");

        var answer = await worker.GetAsync("api/custom/orders");

        output.WriteLine(answer.Body);
        Assert.Equal("503 No token available", answer.Outcome);
        Assert.StartsWith(
            $"DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS=AzureCliCredential) could not get a token for " +
            $"{tenant.ApiAppIdUri}/.default: AzureCliCredential: AADSTS65001: The user or administrator has not " +
            "consented to use the application with ID '04b07795-8ddb-461a-bbee-02f9e1bf7b46' named 'Microsoft Azure CLI'.",
            answer.Detail,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServicePrincipal_ScopeOfAnApiWithoutApplicationIdUri_Answers503WithTheAadsts500011Advice()
    {
        var tenant = new TestTenant();
        await using var worker = await StartAsync(tenant, LocalCredentialSettings.Secret, (settings, _) => settings["CustomApi__Scope"] = "api://never-registered/.default");

        var answer = await worker.GetAsync("api/custom/orders");

        Assert.Equal("503 Token request refused", answer.Outcome);
        Assert.Contains("Entra does not know the resource 'api://never-registered' (AADSTS500011)", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagedIdentityLeg_WithADevelopersServicePrincipalVariablesAround_StillUsesTheSystemAssignedIdentity()
    {
        var tenant = new TestTenant();
        await using var worker = await FunctionAppWorker.StartAsync(tenant, (settings, emulator) =>
        {
            // DefaultAzureCredential pinned to its managed-identity leg, as run-local.sh runs it: left to itself it would
            // take AZURE_CLIENT_ID as a user-assigned identity's client id.
            settings["Identity__Credential"] = "DefaultAzureCredential";
            settings["AZURE_TOKEN_CREDENTIALS"] = "ManagedIdentityCredential";
            settings.Remove("Identity__UserAssignedClientId");
            // A developer's shell or a leftover app setting: a service principal, and a client id that is a managed identity's.
            foreach (var (name, value) in emulator.EntraEnvironment)
            {
                settings[name] = value;
            }

            settings["AZURE_CLIENT_ID"] = tenant.UserAssignedClientId.ToString();
            settings["AZURE_CLIENT_SECRET"] = tenant.ClientSecret;
        });

        var claims = await worker.GetAsync("api/token/claims?target=graph");

        Assert.Equal("200", claims.Outcome);
        Assert.Equal(tenant.SystemObjectId.ToString(), claims.Json.GetProperty("claims").GetProperty("oid").GetString());
        Assert.Equal(0, worker.Emulator.RequestCount("entra"));
    }

    [Fact]
    public async Task AzureCliSignIn_GivesAUserToken_AndTheClaimsSayWhyTheAppRoleIsMissing()
    {
        var tenant = new TestTenant();
        await using var worker = await StartAsync(tenant, LocalCredentialSettings.AzureCli);

        var claims = await worker.GetAsync("api/token/claims?target=graph");
        var users = await worker.GetAsync("api/graph/users?top=1");

        output.WriteLine(claims.Body);
        Assert.Equal("200", claims.Outcome);
        var reported = claims.Json.GetProperty("claims");
        Assert.Contains("User.Read.All", reported.GetProperty("scp").GetString(), StringComparison.Ordinal);
        Assert.False(reported.TryGetProperty("roles", out _));
        Assert.Equal("04b07795-8ddb-461a-bbee-02f9e1bf7b46", reported.GetProperty("appid").GetString());
        var verdict = claims.Json.GetProperty("verdict");
        Assert.False(verdict.GetProperty("ok").GetBoolean());
        Assert.Contains("user's token", verdict.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        // Graph takes the user's delegated User.Read.All, as it would from the real Azure CLI's token.
        Assert.Equal("200", users.Outcome);
    }

    private async Task<FunctionAppWorker> StartAsync(TestTenant tenant, string path, Action<Dictionary<string, string>, EmulatorApp>? adjust = null)
    {
        var worker = await FunctionAppWorker.StartAsync(tenant, (settings, emulator) =>
        {
            LocalCredentialSettings.Apply(settings, emulator, tenant, path);
            adjust?.Invoke(settings, emulator);
        });
        output.WriteLine($"worker started for the {path} path");
        return worker;
    }
}
