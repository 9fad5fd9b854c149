using System.Diagnostics;

namespace TestSupport;

/// <summary>
/// PowerShell 7, the repository's local dotnet tool (.config/dotnet-tools.json), for the tests that run its scripts
/// with 'dotnet pwsh': restored once per test run.
/// </summary>
public static class PowerShell
{
    private static readonly Lazy<Task> Restore = new(async () =>
    {
        var restore = new ProcessStartInfo("dotnet", "tool restore") { WorkingDirectory = Repository.Root };
        var run = await ProcessRun.RunAsync(restore);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet tool restore failed: " + run.Stderr);
        }
    });

    public static Task EnsureRestoredAsync() => Restore.Value;
}
