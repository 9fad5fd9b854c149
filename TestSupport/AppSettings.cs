using IdentityEmulator;

namespace TestSupport;

/// <summary>
/// The app settings every test and benchmark gives FunctionApp, named as users name them in local.settings.json and
/// in Azure (Section__Key), whether the app runs in process (<see cref="TestApp"/>) or as its worker process
/// (<see cref="WorkerSettings"/>).
/// </summary>
public static class AppSettings
{
    /// <summary>
    /// The tenant's user-assigned identity through the managed-identity protocol, Graph at the emulator, and the
    /// sample API when given, registered as the tenant's API.
    /// </summary>
    public static Dictionary<string, string> For(TestTenant tenant, EmulatorApp emulator, SampleApi? api = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ProbeSchedule"] = "0 */5 * * * *",
            ["Identity__Credential"] = "ManagedIdentity",
            ["Identity__UserAssignedClientId"] = tenant.UserAssignedClientId.ToString(),
            ["Graph__BaseUrl"] = emulator.GraphBaseUrl.ToString(),
        };
        if (api is not null)
        {
            settings["CustomApi__BaseUrl"] = api.BaseAddress.ToString();
            settings["CustomApi__Scope"] = tenant.ApiAppIdUri + "/.default";
            settings["CustomApi__AppId"] = tenant.ApiAppId.ToString();
            settings["CustomApi__Resources"] = "orders,products";
        }

        return settings;
    }

    /// <summary>
    /// The configuration keys the app reads for <paramref name="settings"/>: Section__Key is Section:Key. Refuses a
    /// name already written with ':', so that every test names a setting as its users do.
    /// </summary>
    public static Dictionary<string, string?> AsConfiguration(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in settings)
        {
            if (name.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"'{name}' is a configuration key; name the app setting as users do, with '__'.",
                    nameof(settings));
            }

            // The environment-variable provider does this for the real app: its app settings are environment variables.
            configuration[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        return configuration;
    }
}
