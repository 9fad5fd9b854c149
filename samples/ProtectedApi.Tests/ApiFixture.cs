using TestSupport;

namespace ProtectedApi.Tests;

/// <summary>One emulator and one API for the whole table; each case mints its token at test time.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    internal ApiScenario Scenario { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var tenant = new TestTenant();
        tenant.AssignApiToSystem(tenant.ApiReadRoleId);
        Scenario = await ApiScenario.StartAsync(tenant);
    }

    public async Task DisposeAsync() => await Scenario.DisposeAsync();
}
