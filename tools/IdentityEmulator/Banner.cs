using System.Globalization;
using System.Text;

namespace IdentityEmulator;

/// <summary>What the emulator prints at start: the settings a Function app or API needs to use it.</summary>
internal sealed record Banner(string Text, IReadOnlyDictionary<string, string> Environment)
{
    public static Banner Describe(EmulatorApp emulator)
    {
        var tenant = emulator.State.Tenant;
        var environment = new Dictionary<string, string>(
            emulator.ManagedIdentityEnvironment.Concat(emulator.EntraEnvironment));

        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Identity emulator listening on {emulator.BaseAddress}")
            .AppendLine(
                CultureInfo.InvariantCulture,
                $"Tenant {tenant.TenantId}: {tenant.ManagedIdentities.Count} managed identities, "
                + $"{tenant.ServicePrincipals.Count} service principals, {tenant.Users.Count} users")
            .AppendLine()
            .AppendLine(
                "Managed identity, App Service / Functions protocol "
                + "(ManagedIdentityCredential, DefaultAzureCredential):");
        foreach (var (key, value) in emulator.ManagedIdentityEnvironment)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {key}={value}");
        }

        text.AppendLine()
            .AppendLine(
                "Service principal or workload identity (EnvironmentCredential, WorkloadIdentityCredential), "
                + "with AZURE_CLIENT_ID and")
            .AppendLine("AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE:");
        foreach (var (key, value) in emulator.EntraEnvironment)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {key}={value}");
        }

        var imdsHost = emulator.BaseAddress.ToString().TrimEnd('/');
        var tokenEndpoint = $"{emulator.HttpsBaseAddress}{emulator.TenantId}/oauth2/v2.0/token";
        var admin = new Uri(emulator.BaseAddress, "_emulator/");
        text.AppendLine()
            .AppendLine("Managed identity, IMDS protocol instead:")
            .AppendLine(CultureInfo.InvariantCulture, $"  AZURE_POD_IDENTITY_AUTHORITY_HOST={imdsHost}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Entra token endpoint:      {tokenEndpoint}")
            .AppendLine(CultureInfo.InvariantCulture, $"Microsoft Graph base URL:  {emulator.GraphBaseUrl}")
            .AppendLine(CultureInfo.InvariantCulture, $"OpenID metadata (v2.0):    {emulator.OpenIdConfigurationV2}")
            .AppendLine(CultureInfo.InvariantCulture, $"OpenID metadata (v1.0):    {emulator.OpenIdConfigurationV1}")
            .AppendLine(CultureInfo.InvariantCulture, $"Admin (faults, counters):  {admin}")
            .AppendLine()
            .Append("Press Ctrl+C to stop.");
        return new Banner(text.ToString(), environment);
    }
}
