using FunctionApp.Diagnostics;
using FunctionApp.Functions;
using FunctionApp.Probes;
using FunctionApp.Tests.Infrastructure;
using IdentityEmulator.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace FunctionApp.Tests;

[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class ProbeTargetsTests
{
    [Fact]
    public async Task Run_WithOneFailingAndOneHealthyTarget_LogsOneResultPerTargetAndCompletes()
    {
        var tenant = new TestTenant();
        tenant.AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id);
        var unknown = $"api://{Guid.NewGuid()}";
        await using var app = await TestApp.StartAsync(tenant, services: services =>
        {
            // A second target whose resource Entra does not know: its token request fails with AADSTS500011.
            services.AddSingleton(new TokenTarget("orders", "Orders API", unknown + "/.default", [unknown], ["Orders.Read"], "infra/main.bicep"));
            services.AddSingleton<ITargetProbe>(new NeverCalledProbe("orders"));
        });

        await app.Function<ProbeTargets>().Run(new TimerInfo(), CancellationToken.None);

        var succeeded = Assert.Single(app.Logs.WithEventId(4000));
        Assert.Equal("graph", succeeded.State.Single(kv => kv.Key == "Target").Value);
        Assert.Equal("User.Read.All", succeeded.State.Single(kv => kv.Key == "Roles").Value);
        Assert.Equal("https://graph.microsoft.com", succeeded.State.Single(kv => kv.Key == "Audience").Value);
        var failed = Assert.Single(app.Logs.WithEventId(4001));
        Assert.Equal("orders", failed.State.Single(kv => kv.Key == "Target").Value);
        Assert.Equal(503, failed.State.Single(kv => kv.Key == "Status").Value);
        Assert.Contains("AADSTS500011", failed.Text, StringComparison.Ordinal);
        Assert.Contains("1 of 2", Assert.Single(app.Logs.WithEventId(4003)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenGraphRefuses_LogsTheDiagnosisAndDoesNotThrow()
    {
        await using var app = await TestApp.StartAsync(new TestTenant());

        var results = await app.Services.GetRequiredService<ProbeRunner>().RunAsync(CancellationToken.None);

        var graph = Assert.Single(results);
        Assert.False(graph.Healthy);
        Assert.Equal(502, graph.Status);
        Assert.Contains("lacks the application permission User.Read.All", Assert.Single(app.Logs.WithEventId(4001)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenPastDue_LogsIt()
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant.AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id));

        await app.Function<ProbeTargets>().Run(new TimerInfo { IsPastDue = true }, CancellationToken.None);

        Assert.Single(app.Logs.WithEventId(4002));
        Assert.Single(app.Logs.WithEventId(4000));
    }

    private sealed class NeverCalledProbe(string target) : ITargetProbe
    {
        public string TargetName => target;

        public Task<Diagnosis?> CallAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The probe must not call a target whose token could not be acquired.");
    }
}
