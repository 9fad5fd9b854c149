using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using TestSupport;

namespace Infra.Tests;

/// <summary>
/// Compiles infra/ once per test run with the Bicep CLI from NuGet. The Graph extension comes from ../shared/bicep-types
/// when that folder exists (offline, as here), published to a local package for a copy of infra/ whose bicepconfig
/// points at it; elsewhere the committed bicepconfig's public registry reference is used as it is.
/// </summary>
public sealed class BicepFixture : IAsyncLifetime
{
    private string _work = "";

    public string Bicep { get; } = FindBicep();

    public string Infra => _work;

    /// <summary>The ARM JSON that main.bicep compiles to.</summary>
    public JsonObject Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _work = Directory.CreateTempSubdirectory("infra-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "infra")))
        {
            File.Copy(file, Path.Combine(_work, Path.GetFileName(file)));
        }

        var types = Path.Combine(Repository.Root, "..", "shared", "bicep-types", "microsoftgraph-v1.0-1.0.0", "index.json");
        if (File.Exists(types))
        {
            var package = Path.Combine(_work, "microsoftgraph-v1.tgz");
            var published = await RunAsync("publish-extension", types, "--target", package);
            Assert.True(published.ExitCode == 0, published.Stdout);
            var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_work, "bicepconfig.json")))!;
            config["extensions"]!["microsoftGraphV1"] = package;
            await File.WriteAllTextAsync(Path.Combine(_work, "bicepconfig.json"), config.ToJsonString());
        }

        var build = await RunAsync("build", Path.Combine(_work, "main.bicep"), "--stdout");
        Assert.True(build.ExitCode == 0, build.Stderr);
        Template = JsonNode.Parse(build.Stdout)!.AsObject();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    public Task<ProcessRun> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    /// <summary>Runs the CLI with <paramref name="environment"/> on top of this process's (null removes a variable).</summary>
    public Task<ProcessRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Bicep, args);
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        // The CLI would otherwise check for updates and send telemetry.
        info.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        return ProcessRun.RunAsync(info);
    }

    private static string FindBicep()
    {
        var fromPackage = typeof(BicepFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "BicepPath")?.Value;
        if (!string.IsNullOrEmpty(fromPackage) && File.Exists(fromPackage) && OperatingSystem.IsLinux())
        {
            return fromPackage;
        }

        // Other platforms: a bicep on PATH (az bicep install, or the CLI's own installer).
        return OperatingSystem.IsWindows() ? "bicep.exe" : "bicep";
    }
}
