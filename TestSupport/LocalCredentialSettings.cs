using System.Security.Cryptography.X509Certificates;
using IdentityEmulator;
using IdentityEmulator.Tokens;

namespace TestSupport;

/// <summary>
/// App settings that run FunctionApp's DefaultAzureCredential on one of a developer's local paths against the emulator,
/// instead of the managed identity: a service principal with a secret or a certificate (EnvironmentCredential), a
/// workload identity's token file (WorkloadIdentityCredential), or the Azure CLI stand-in signed in as a tenant user.
/// </summary>
public static class LocalCredentialSettings
{
    public const string Secret = "secret";
    public const string Certificate = "certificate";
    public const string WorkloadIdentity = "workload identity";
    public const string AzureCli = "Azure CLI";

    /// <summary>Rewrites <paramref name="settings"/> for <paramref name="path"/>; writes the certificate or token file it needs.</summary>
    public static void Apply(Dictionary<string, string> settings, EmulatorApp emulator, TestTenant tenant, string path, bool disableInstanceDiscovery = true)
    {
        settings.Remove("IDENTITY_ENDPOINT");
        settings.Remove("IDENTITY_HEADER");
        settings.Remove("Identity__UserAssignedClientId");
        settings["Identity__Credential"] = "DefaultAzureCredential";
        settings["Identity__DisableInstanceDiscovery"] = disableInstanceDiscovery ? "true" : "false";
        if (path == AzureCli)
        {
            settings["AZURE_TENANT_ID"] = tenant.TenantId.ToString();
            // The emulator's az stand-in first on PATH, signed in as a tenant user.
            settings["PATH"] = Path.Combine(Repository.Root, "tools", "IdentityEmulator", "azure-cli") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            settings["IDENTITY_EMULATOR_URL"] = emulator.BaseAddress.ToString();
            settings["AZ_EMULATOR_USER"] = "user001@contoso.example";
            return;
        }

        foreach (var (name, value) in emulator.EntraEnvironment)
        {
            settings[name] = value;
        }

        settings["AZURE_CLIENT_ID"] = tenant.ClientAppId.ToString();
        switch (path)
        {
            case Secret:
                settings["AZURE_CLIENT_SECRET"] = tenant.ClientSecret;
                break;
            case Certificate:
                settings["AZURE_CLIENT_CERTIFICATE_PATH"] = CertificateFile(tenant.ClientCertificate ?? throw new ArgumentException("the tenant has no client certificate", nameof(tenant)));
                break;
            case WorkloadIdentity:
                // What a cluster projects into the pod: a token from the issuer the app's federated credential trusts.
                settings["AZURE_FEDERATED_TOKEN_FILE"] = WorkloadTokenFile(emulator, tenant.WorkloadSubject);
                break;
            default:
                throw new ArgumentException($"unknown path '{path}'", nameof(path));
        }
    }

    /// <summary>The PEM file Azure.Identity reads for AZURE_CLIENT_CERTIFICATE_PATH: the certificate and its unencrypted PKCS#8 key.</summary>
    public static string CertificateFile(X509Certificate2 certificate) =>
        TempFile("client.pem", certificate.ExportCertificatePem() + "\n" + certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

    /// <summary>What a cluster projects into a pod for AZURE_FEDERATED_TOKEN_FILE: a token from the emulator's workload issuer.</summary>
    public static string WorkloadTokenFile(EmulatorApp emulator, string subject) =>
        TempFile("workload-token", WorkloadTokens.Mint(emulator.State.Issuer, subject, WorkloadTokens.DefaultAudience, TimeSpan.FromHours(1)));

    private static string TempFile(string name, string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        File.WriteAllText(path, content);
        return path;
    }
}
