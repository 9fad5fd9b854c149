using System.Security.Cryptography.X509Certificates;
using IdentityEmulator;
using IdentityEmulator.Tokens;
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
    [InlineData("secret")]
    [InlineData("certificate")]
    [InlineData("workload identity")]
    public async Task ServicePrincipal_GetsAnAppOnlyTokenWithItsRoles_AndGraphAnswers(string path)
    {
        using var certificate = path == "certificate" ? TestCertificates.Create() : null;
        var tenant = new TestTenant { ClientCertificate = certificate };
        tenant.Assign(tenant.ClientServicePrincipalId, tenant.GraphServicePrincipalId, MicrosoftGraph.UserReadAll.Id);
        await using var worker = await StartAsync(tenant, path, certificate);

        var users = await worker.GetAsync("api/graph/users?top=2");
        var claims = await worker.GetAsync("api/token/claims?target=graph");

        Assert.Equal("200", users.Outcome);
        Assert.Equal("200", claims.Outcome);
        var reported = claims.Json.GetProperty("claims");
        Assert.Equal(tenant.ClientServicePrincipalId.ToString(), reported.GetProperty("oid").GetString());
        Assert.Equal(tenant.ClientAppId.ToString(), reported.GetProperty("appid").GetString());
        Assert.Equal(["User.Read.All"], reported.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(claims.Json.GetProperty("verdict").GetProperty("ok").GetBoolean());
        // One token request for Graph, to the token endpoint and nowhere else: instance discovery is off.
        Assert.Equal(1, worker.Emulator.RequestCount("entra"));
        Assert.Equal(0, worker.Emulator.RequestCount("managedIdentity"));
    }

    [Theory]
    [InlineData("wrong secret", "AADSTS7000215")]
    [InlineData("expired secret", "AADSTS7000222")]
    [InlineData("unknown app", "AADSTS700016")]
    [InlineData("unregistered certificate", "AADSTS700027")]
    [InlineData("workload token for another subject", "AADSTS700213")]
    public async Task Refusal_Answers503NamingTheCredentialAndEntrasCode(string refusal, string code)
    {
        using var certificate = refusal == "unregistered certificate" ? TestCertificates.Create() : null;
        var tenant = new TestTenant { ClientSecretEndDateTime = refusal == "expired secret" ? DateTimeOffset.UtcNow.AddDays(-1) : null };
        tenant.Assign(tenant.ClientServicePrincipalId, tenant.GraphServicePrincipalId, MicrosoftGraph.UserReadAll.Id);
        var path = refusal switch
        {
            "unregistered certificate" => "certificate",
            "workload token for another subject" => "workload identity",
            _ => "secret",
        };
        await using var worker = await StartAsync(tenant, path, certificate, settings =>
        {
            if (refusal == "wrong secret")
            {
                settings["AZURE_CLIENT_SECRET"] = "not-the-secret";
            }
            else if (refusal == "unknown app")
            {
                settings["AZURE_CLIENT_ID"] = Guid.NewGuid().ToString();
            }
        }, workloadSubject: refusal == "workload token for another subject" ? "system:serviceaccount:test:someone-else" : null);

        var answer = await worker.GetAsync("api/graph/users");

        output.WriteLine(answer.Body);
        Assert.Equal("503 No token available", answer.Outcome);
        Assert.StartsWith("DefaultAzureCredential", answer.Detail, StringComparison.Ordinal);
        Assert.Contains(code, answer.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.ClientSecret, answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureCliSignIn_GivesAUserToken_AndTheClaimsSayWhyTheAppRoleIsMissing()
    {
        var tenant = new TestTenant();
        await using var worker = await FunctionAppWorker.StartAsync(tenant, (settings, emulator) =>
        {
            settings.Remove("IDENTITY_ENDPOINT");
            settings.Remove("IDENTITY_HEADER");
            settings.Remove("Identity__UserAssignedClientId");
            settings["Identity__Credential"] = "DefaultAzureCredential";
            settings["AZURE_TENANT_ID"] = tenant.TenantId.ToString();
            // The emulator's az stand-in first on PATH, signed in as a tenant user.
            settings["PATH"] = Path.Combine(Repository.Root, "tools", "IdentityEmulator", "azure-cli") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            settings["IDENTITY_EMULATOR_URL"] = emulator.BaseAddress.ToString();
            settings["AZ_EMULATOR_USER"] = "user001@contoso.example";
        });

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

    private async Task<FunctionAppWorker> StartAsync(
        TestTenant tenant, string path, X509Certificate2? certificate, Action<Dictionary<string, string>>? adjust = null, string? workloadSubject = null)
    {
        string? certificateFile = null;
        if (path == "certificate")
        {
            // The PEM form Azure.Identity reads: the certificate and its unencrypted PKCS#8 key.
            certificateFile = Path.Combine(Path.GetTempPath(), $"client-{Guid.NewGuid():N}.pem");
            await File.WriteAllTextAsync(certificateFile, certificate!.ExportCertificatePem() + "\n" + certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }

        var worker = await FunctionAppWorker.StartAsync(tenant, (settings, emulator) =>
        {
            settings.Remove("IDENTITY_ENDPOINT");
            settings.Remove("IDENTITY_HEADER");
            settings.Remove("Identity__UserAssignedClientId");
            settings["Identity__Credential"] = "DefaultAzureCredential";
            settings["Identity__DisableInstanceDiscovery"] = "true";
            foreach (var (name, value) in emulator.EntraEnvironment)
            {
                settings[name] = value;
            }

            settings["AZURE_CLIENT_ID"] = tenant.ClientAppId.ToString();
            switch (path)
            {
                case "secret":
                    settings["AZURE_CLIENT_SECRET"] = tenant.ClientSecret;
                    break;
                case "certificate":
                    settings["AZURE_CLIENT_CERTIFICATE_PATH"] = certificateFile!;
                    break;
                default:
                    settings["AZURE_FEDERATED_TOKEN_FILE"] = WorkloadTokenFile(emulator, workloadSubject ?? tenant.WorkloadSubject);
                    break;
            }

            adjust?.Invoke(settings);
        });
        output.WriteLine($"worker started for the {path} path");
        return worker;
    }

    private static string WorkloadTokenFile(EmulatorApp emulator, string subject)
    {
        // What a cluster projects into the pod: a token from the issuer the app's federated credential trusts.
        var path = Path.Combine(Path.GetTempPath(), $"workload-token-{Guid.NewGuid():N}");
        File.WriteAllText(path, WorkloadTokens.Mint(emulator.State.Issuer, subject, WorkloadTokens.DefaultAudience, TimeSpan.FromHours(1)));
        return path;
    }
}
