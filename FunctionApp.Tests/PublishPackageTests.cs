using System.Diagnostics;
using TestSupport;

namespace FunctionApp.Tests;

/// <summary>
/// The deployment package as the publish path of README.md and docs/deployment.md makes it (dotnet publish, then Core
/// Tools with --no-build): host.json from the root and the worker, and never local.settings.json, whose emulator
/// addresses and DefaultAzureCredential would otherwise reach Azure with the code.
/// </summary>
[Collection(nameof(RepositoryRootFiles))]
public sealed class PublishPackageTests
{
    [Fact]
    public async Task Publish_WithLocalSettingsAtTheRoot_PackagesHostJsonAndNotLocalSettings()
    {
        var root = Repository.Root;
        var settings = Path.Combine(root, "local.settings.json");
        var hadSettings = File.Exists(settings);
        var output = Directory.CreateTempSubdirectory("publish-");
        try
        {
            if (!hadSettings)
            {
                File.Copy(Path.Combine(root, "local.settings.sample.json"), settings);
            }

            // IL only, to keep the test short: ReadyToRun changes the assemblies, not which files are published.
            var publish = await ProcessRun.RunAsync(new ProcessStartInfo(
                "dotnet",
                ["publish", Path.Combine(root, "FunctionApp"), "-c", "Release", "-o", output.FullName,
                 "--nologo", "-v", "quiet", "-p:PublishReadyToRun=false", "-p:RuntimeIdentifier="]));

            Assert.True(publish.ExitCode == 0, publish.Stdout + publish.Stderr);
            Assert.True(File.Exists(Path.Combine(output.FullName, "host.json")));
            Assert.True(File.Exists(Path.Combine(output.FullName, "FunctionApp.dll")));
            Assert.False(File.Exists(Path.Combine(output.FullName, "local.settings.json")));
        }
        finally
        {
            output.Delete(recursive: true);
            if (!hadSettings)
            {
                File.Delete(settings);
            }
        }
    }
}
