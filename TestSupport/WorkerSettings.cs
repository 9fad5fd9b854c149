using IdentityEmulator;

namespace TestSupport;

/// <summary>
/// The app settings a deployment gives FunctionApp, as environment variables for its worker process: the platform's
/// managed-identity variables and storage, and <see cref="AppSettings"/> for the tenant on the emulator.
/// </summary>
public static class WorkerSettings
{
    public static Dictionary<string, string> For(TestTenant tenant, EmulatorApp emulator, SampleApi? api = null)
    {
        var settings = new Dictionary<string, string>(emulator.ManagedIdentityEnvironment)
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        };
        foreach (var (name, value) in AppSettings.For(tenant, emulator, api))
        {
            settings[name] = value;
        }

        return settings;
    }
}
