using IdentityEmulator;

namespace TestSupport;

/// <summary>
/// Points Azure.Identity at an emulator through process environment variables, the way the platform does, and
/// restores them afterwards. Environment variables are process-wide, so every test that uses this runs in the
/// collection that disables parallelisation (ManagedIdentityEnvironmentDefinition in each test project).
/// </summary>
public sealed class ManagedIdentityEnvironment : IDisposable
{
    private static readonly string[] Variables =
    [
        "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT",
        "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE", "AZURE_TOKEN_CREDENTIALS",
    ];

    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    private ManagedIdentityEnvironment(IReadOnlyDictionary<string, string> values)
    {
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, values.GetValueOrDefault(name));
        }
    }

    /// <summary>The App Service / Functions protocol: IDENTITY_ENDPOINT and IDENTITY_HEADER.</summary>
    public static ManagedIdentityEnvironment AppService(EmulatorApp emulator) => new(emulator.ManagedIdentityEnvironment);

    /// <summary>The IMDS protocol at the emulator's address instead of 169.254.169.254.</summary>
    public static ManagedIdentityEnvironment Imds(EmulatorApp emulator, string? tokenCredentials = null)
    {
        var values = new Dictionary<string, string> { ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = emulator.BaseAddress.ToString().TrimEnd('/') };
        if (tokenCredentials is not null)
        {
            values["AZURE_TOKEN_CREDENTIALS"] = tokenCredentials;
        }

        return new ManagedIdentityEnvironment(values);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
