using Microsoft.Graph;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace IdentityEmulator.Tests.Infrastructure;

/// <summary>
/// An emulator with the App Service environment pointing at it, and Graph clients for two identities: the
/// user-assigned one (given <c>graphRole</c>, if any) and the admin one (AppRoleAssignment.ReadWrite.All, Application.Read.All).
/// </summary>
internal sealed class GraphScenario : IAsyncDisposable
{
    private readonly ManagedIdentityEnvironment _environment;

    private GraphScenario(TestTenant tenant, EmulatorApp emulator)
    {
        Tenant = tenant;
        Emulator = emulator;
        _environment = ManagedIdentityEnvironment.AppService(emulator);
        Graph = GraphClients.ForIdentity(emulator, tenant.UserAssignedClientId);
        Admin = GraphClients.ForIdentity(emulator, tenant.AdminClientId);
    }

    public TestTenant Tenant { get; }

    public EmulatorApp Emulator { get; }

    public GraphServiceClient Graph { get; }

    public GraphServiceClient Admin { get; }

    public static async Task<GraphScenario> StartAsync(TestTenant tenant, Guid? graphRole = null)
    {
        if (graphRole is { } role)
        {
            tenant.AssignGraphToUserAssigned(role);
        }

        return new GraphScenario(tenant, await tenant.StartAsync());
    }

    public static Task<GraphScenario> WithUserReadAllAsync(TestTenant tenant) => StartAsync(tenant, MicrosoftGraph.UserReadAll.Id);

    public async ValueTask DisposeAsync()
    {
        _environment.Dispose();
        await Emulator.DisposeAsync();
    }
}
