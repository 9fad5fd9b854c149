using IdentityEmulator;

namespace TestSupport;

/// <summary>
/// The app settings a deployment gives FunctionApp, as environment variables for its worker process: the platform's
/// managed-identity variables and the tenant's user-assigned identity on the emulator, and the sample API when given.
/// </summary>
public static class WorkerSettings
{
    public static Dictionary<string, string> For(TestTenant tenant, EmulatorApp emulator, SampleApi? api = null)
    {
        var settings = new Dictionary<string, string>(emulator.ManagedIdentityEnvironment)
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
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
}
