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
        using var process = Process.Start(new ProcessStartInfo("dotnet", "tool restore") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet tool restore failed: " + await error);
        }
    });

    public static Task EnsureRestoredAsync() => Restore.Value;
}
