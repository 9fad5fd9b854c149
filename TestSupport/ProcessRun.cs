using System.Diagnostics;

namespace TestSupport;

/// <summary>
/// A process run to its end: its exit code and everything it wrote. <see cref="RunAsync"/> is the one way the tests,
/// the fixtures and the benchmarks run a command (a script, a CLI, dotnet) and look at what it did.
/// </summary>
public sealed record ProcessRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Long enough for a dotnet publish on a busy machine; a run that outlasts it is taken as hung.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Starts <paramref name="info"/> with its standard streams redirected, writes <paramref name="stdin"/> (when
    /// given) and closes it, and waits for the exit. A process still running after <paramref name="timeout"/>
    /// (<see cref="DefaultTimeout"/> when null), or when <paramref name="cancellationToken"/> is cancelled, is killed
    /// with its child processes.
    /// </summary>
    /// <exception cref="TimeoutException">The process did not exit within the timeout.</exception>
    public static async Task<ProcessRun> RunAsync(
        ProcessStartInfo info,
        TimeSpan? timeout = null,
        string? stdin = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = stdin is not null;
        var limit = timeout ?? DefaultTimeout;
        using var process = Process.Start(info)
            ?? throw new InvalidOperationException($"{Command(info)} did not start");
        // Both pipes are drained while the process runs: one left unread fills up and stalls a chatty process.
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(limit);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), bounded.Token);
                process.StandardInput.Close();
            }

            await process.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"{Command(info)} was still running after {limit}; killed it and its child processes.");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return new ProcessRun(process.ExitCode, await stdout, await stderr);
    }

    // What the failure message names: the program and its arguments, never its environment (which may carry a token).
    private static string Command(ProcessStartInfo info)
    {
        var arguments = info.ArgumentList.Count > 0 ? string.Join(' ', info.ArgumentList) : info.Arguments;
        return $"'{info.FileName} {arguments}'";
    }
}
