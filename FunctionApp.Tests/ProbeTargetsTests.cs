using FunctionApp.Functions;
using FunctionApp.Probes;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
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
        // A custom API whose resource Entra does not know: its token request fails with AADSTS500011, and nothing
        // listens at its address, so a call made anyway would fail differently.
        await using var app = await TestApp.StartAsync(tenant, new Dictionary<string, string?>
        {
            ["CustomApi__BaseUrl"] = "http://127.0.0.1:9/",
            ["CustomApi__Scope"] = unknown + "/.default",
        });

        await app.Function<ProbeTargets>().Run(new TimerInfo(), CancellationToken.None);

        var succeeded = Assert.Single(app.Logs.WithEventId(4000));
        Assert.Equal("graph", succeeded.State.Single(kv => kv.Key == "Target").Value);
        Assert.Equal("User.Read.All", succeeded.State.Single(kv => kv.Key == "Roles").Value);
        Assert.Equal("https://graph.microsoft.com", succeeded.State.Single(kv => kv.Key == "Audience").Value);
        var failed = Assert.Single(app.Logs.WithEventId(4001));
        Assert.Equal("protected-api", failed.State.Single(kv => kv.Key == "Target").Value);
        Assert.Equal("Token request refused", failed.State.Single(kv => kv.Key == "Title").Value);
        // No token, so nothing to say about its audience or roles.
        Assert.Equal("-", failed.State.Single(kv => kv.Key == "Audience").Value);
        Assert.Equal("", failed.State.Single(kv => kv.Key == "Roles").Value);
        Assert.Contains("AADSTS500011", failed.Text, StringComparison.Ordinal);
        Assert.Contains("1 of 2", Assert.Single(app.Logs.WithEventId(4003)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenGraphRefuses_LogsTheProblemAndDoesNotThrow()
    {
        await using var app = await TestApp.StartAsync(new TestTenant());

        await app.Services.GetRequiredService<ProbeRunner>().RunAsync(pastDue: false, CancellationToken.None);

        var failed = Assert.Single(app.Logs.WithEventId(4001));
        Assert.Equal("Microsoft Graph refused the request", failed.State.Single(kv => kv.Key == "Title").Value);
        Assert.Contains("lacks the application permission User.Read.All", failed.Text, StringComparison.Ordinal);
        // The token was got, and its audience is reported even though Graph refused the call.
        Assert.Equal("https://graph.microsoft.com", failed.State.Single(kv => kv.Key == "Audience").Value);
        Assert.Equal("Probe run finished: 0 of 1 target(s) healthy", Assert.Single(app.Logs.WithEventId(4003)).Text);
    }

    [Fact]
    public async Task Run_WhenPastDue_LogsIt()
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant.AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id));

        await app.Function<ProbeTargets>().Run(new TimerInfo { IsPastDue = true }, CancellationToken.None);

        Assert.Single(app.Logs.WithEventId(4002));
        Assert.Single(app.Logs.WithEventId(4000));
        Assert.Equal("Probe run finished: 1 of 1 target(s) healthy", Assert.Single(app.Logs.WithEventId(4003)).Text);
    }
}
