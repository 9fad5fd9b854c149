using System.Text.Json;

namespace FunctionApp.Tests;

/// <summary>What the worker SDK generated for the host: names, routes, methods, auth levels and the timer schedule.</summary>
public sealed class FunctionMetadataTests
{
    // GetTokenClaims shows the identity's object id, tenant and resource group: the admin (master) key only.
    [Theory]
    [InlineData("GetGraphUsers", "graph/users", "Function")]
    [InlineData("GetTokenClaims", "token/claims", "Admin")]
    [InlineData("GetCustomResource", "custom/{resource}", "Function")]
    public void HttpFunction_IsGetOnlyWithItsKeyAndRoute(string name, string route, string authLevel)
    {
        var trigger = Trigger(name);

        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(route, trigger.GetProperty("route").GetString());
    }

    [Fact]
    public void ProbeTargets_IsTimerOnScheduleSettingWithoutRunOnStartup()
    {
        var trigger = Trigger("ProbeTargets");

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("%ProbeSchedule%", trigger.GetProperty("schedule").GetString());
        Assert.False(trigger.TryGetProperty("runOnStartup", out var runOnStartup) && runOnStartup.GetBoolean());
    }

    [Fact]
    public void Metadata_ListsExactlyTheAppsFunctions()
    {
        Assert.Equal(["GetCustomResource", "GetGraphUsers", "GetTokenClaims", "ProbeTargets"], Functions().Select(f => f.GetProperty("name").GetString()).Order());
    }

    private static JsonElement Trigger(string name) =>
        Functions().Single(f => f.GetProperty("name").GetString() == name)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");

    private static List<JsonElement> Functions()
    {
        // FunctionApp.Tests/bin/<Configuration>/net10.0 -> FunctionApp/bin/<Configuration>/net10.0/functions.metadata
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "FunctionApp", "bin", configuration, output.Name, "functions.metadata");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
