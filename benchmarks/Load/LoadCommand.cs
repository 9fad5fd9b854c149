using System.Globalization;
using Benchmarks.ColdStart;
using FunctionsHostHarness;

namespace Benchmarks.Load;

/// <summary>Parses --load, --soak, --cold-start and --local-credentials and their options; bad values are a message and exit code 2, not a stack trace.</summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        // The emulator and the API are web hosts whose console lifetimes swallow Ctrl+C; this makes it end the run
        // early, still reporting, instead of stopping the servers under the running invocations.
        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };

        try
        {
            if (args.Contains("--local-credentials"))
            {
                return await LocalCredentials.LocalCredentialsRun.RunAsync(Option(args, "--runs", 3, 1, 100), output, interrupted.Token);
            }

            if (args.Contains("--cold-start"))
            {
                return await ColdStartRun.RunAsync(Option(args, "--launches", 15, 1, 1000), output, interrupted.Token);
            }

            if (args.Contains("--soak"))
            {
                var minutes = Option(args, "--minutes", 10, 1, 24 * 60);
                return await SoakRun.RunAsync(TimeSpan.FromMinutes(minutes), output, interrupted.Token);
            }

            return await LoadRun.RunAsync(Option(args, "--invocations", 10_000, 2, 10_000_000), Option(args, "--concurrency", 64, 1, 1024), output, interrupted.Token);
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await error.WriteLineAsync("Interrupted.");
            return 130;
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or WorkerProcessException)
        {
            // A publish that failed, a worker that did not start, an answer that was not 200: what it said, no trace.
            await error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    internal static int Option(string[] args, string name, int defaultValue, int min, int max)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0)
        {
            return defaultValue;
        }

        if (index + 1 >= args.Length || !int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"{name} needs a whole number from {min} to {max}.");
        }

        return value;
    }
}
