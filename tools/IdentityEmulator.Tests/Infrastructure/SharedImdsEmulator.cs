using TestSupport;

namespace IdentityEmulator.Tests.Infrastructure;

/// <summary>
/// One emulator for every IMDS test in the process. MSAL resolves AZURE_POD_IDENTITY_AUTHORITY_HOST once and keeps
/// the IMDS address in a static field (ImdsManagedIdentitySource.s_cachedBaseEndpoint), so a second emulator on
/// another port would never be asked. Apps have the same constraint: restart after moving the emulator.
/// </summary>
internal static class SharedImdsEmulator
{
    private static readonly Lazy<Task<(EmulatorApp Emulator, TestTenant Tenant)>> Instance = new(async () =>
    {
        var tenant = new TestTenant();
        tenant.AssignApiToSystem(tenant.ApiReadRoleId);
        return (await tenant.StartAsync(), tenant);
    });

    public static Task<(EmulatorApp Emulator, TestTenant Tenant)> GetAsync() => Instance.Value;
}
