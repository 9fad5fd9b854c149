using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using FunctionsHostHarness;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace Benchmarks.ColdStart;

/// <summary>
/// dotnet run -c Release --project benchmarks -- --cold-start [--launches 15]
/// Publishes the bare worker (benchmarks/BareWorker) and FunctionApp as a deployment would, then launches each
/// through the host harness, interleaved: process launch to the first successful answer (the bare worker's ping,
/// FunctionApp's first GET /api/graph/users against the emulator), and the working set after that answer and after
/// 200 more requests. Reports medians and the ratios. Exit code 1, with the message, when a publish fails, a worker
/// does not start or an answer is not 200.
/// </summary>
internal static class ColdStartRun
{
    private const int RequestsAfterFirst = 200;

    public static async Task<int> RunAsync(int launches, TextWriter output, CancellationToken interrupted)
    {
        var artifacts = Path.Combine(Repository.Root, "BenchmarkDotNet.Artifacts", "cold-start");
        // FunctionApp twice: as its project publishes it (ReadyToRun for linux-x64), and as it published before
        // ReadyToRun (portable IL), for the package size and the start-up time ReadyToRun buys.
        var functionApp = Path.Combine(Repository.Root, "FunctionApp", "FunctionApp.csproj");
        App[] apps =
        [
            new("bare worker", Path.Combine(Repository.Root, "benchmarks", "BareWorker", "BareWorker.csproj"), [], "api/Ping"),
            new("FunctionApp, IL only", functionApp, ["-p:PublishReadyToRun=false", "-p:RuntimeIdentifier="], "api/graph/users?top=1"),
            new("FunctionApp", functionApp, [], "api/graph/users?top=1"),
        ];
        foreach (var app in apps)
        {
            app.Directory = await PublishAsync(app, Path.Combine(artifacts, app.Name.Replace(", ", "-", StringComparison.Ordinal).Replace(' ', '-')), output, interrupted);
        }

        var tenant = new TestTenant().AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id);
        await using var emulator = await tenant.StartAsync();
        var settings = WorkerSettings.For(tenant, emulator);
        output.WriteLine($"Cold start: {launches} launches of each, interleaved, after one warm-up launch each; {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        foreach (var app in apps)
        {
            await LaunchAsync(app, settings, interrupted);
        }

        var results = apps.ToDictionary(a => a, _ => new List<Launch>());
        for (var i = 0; i < launches; i++)
        {
            foreach (var app in i % 2 == 0 ? apps : apps.Reverse())
            {
                results[app].Add(await LaunchAsync(app, settings, interrupted));
            }
        }

        Report(output, apps, results);
        return 0;
    }

    private static async Task<Launch> LaunchAsync(App app, Dictionary<string, string> settings, CancellationToken cancellationToken)
    {
        await using var host = await FunctionsHost.StartAsync(app.Directory, settings);
        await GetOkAsync(host, app.Path, cancellationToken);
        var firstAnswer = Stopwatch.GetElapsedTime(host.LaunchTimestamp);
        var afterFirst = Memory.Of(host.ProcessId);
        for (var i = 0; i < RequestsAfterFirst; i++)
        {
            await GetOkAsync(host, app.Path, cancellationToken);
        }

        return new Launch(firstAnswer, host.Startup, afterFirst, Memory.Of(host.ProcessId));
    }

    private static async Task GetOkAsync(FunctionsHost host, string path, CancellationToken cancellationToken)
    {
        using var response = await host.GetAsync(path, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}{Environment.NewLine}{host.Transcript}");
        }
    }

    internal static async Task<string> PublishAsync(App app, string directory, TextWriter output, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var publish = new ProcessStartInfo("dotnet", ["publish", app.Project, "-c", "Release", "-o", directory, "--nologo", "-v", "quiet", .. app.PublishArguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(publish)!;
        var log = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {app.Project} failed:{Environment.NewLine}{await log}{await errors}");
        }

        var zip = Path.Combine(Path.GetTempPath(), $"cold-start-{Guid.NewGuid():N}.zip");
        ZipFile.CreateFromDirectory(directory, zip, CompressionLevel.Optimal, includeBaseDirectory: false);
        var bytes = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        output.WriteLine(FormattableString.Invariant($"Published {app.Name}: {bytes / 1e6:0.0} MB in {directory}, zipped {new FileInfo(zip).Length / 1048576.0:0.00} MiB"));
        File.Delete(zip);
        return directory;
    }

    private static void Report(TextWriter output, App[] apps, Dictionary<App, List<Launch>> results)
    {
        var bare = results[apps[0]];
        output.WriteLine();
        output.WriteLine("Medians (min to max); each FunctionApp column also as a ratio to the bare worker: of the medians, and the median of");
        output.WriteLine("the per-launch ratios (launch i of each ran back to back, so that ratio is free of drift across the run).");
        output.WriteLine();
        output.WriteLine($"| | {string.Join(" | ", apps.Select(a => a.Name))} |");
        output.WriteLine($"| --- |{string.Concat(apps.Select(_ => " ---: |"))}");
        Row("launch to StartStream, ms", l => l.Startup.Connected.TotalMilliseconds);
        Row("launch to functions loaded, ms", l => l.Startup.Loaded.TotalMilliseconds);
        Row("**launch to first answer, ms**", l => l.FirstAnswer.TotalMilliseconds);
        Row("VmRSS after the first answer, MiB", l => l.AfterFirst.VmRss);
        Row("RssAnon after the first answer, MiB", l => l.AfterFirst.RssAnon);
        Row($"VmRSS after {RequestsAfterFirst} more, MiB", l => l.AfterMore.VmRss);
        Row($"RssAnon after {RequestsAfterFirst} more, MiB", l => l.AfterMore.RssAnon);

        // Where FunctionApp's extra resident memory sits, from each one's last launch.
        var (first, last) = (bare[^1].AfterFirst.Mappings, results[apps[^1]][^1].AfterFirst.Mappings);
        output.WriteLine();
        output.WriteLine($"Resident MiB after the first answer by mapping, largest differences ({apps[0].Name} -> {apps[^1].Name}):");
        foreach (var name in first.Keys.Union(last.Keys).OrderByDescending(n => last.GetValueOrDefault(n) - first.GetValueOrDefault(n)).Take(12))
        {
            output.WriteLine(FormattableString.Invariant($"  {name}: {first.GetValueOrDefault(name):0.0} -> {last.GetValueOrDefault(name):0.0}"));
        }

        void Row(string name, Func<Launch, double> value)
        {
            var cells = apps.Select(app =>
            {
                var launches = results[app];
                var cell = FormattableString.Invariant($"{Median(launches, value):0} ({launches.Min(value):0} to {launches.Max(value):0})");
                return launches == bare ? cell : FormattableString.Invariant(
                    $"{cell}: {Median(launches, value) / Median(bare, value):0.00}x, paired {Median([.. bare.Zip(launches, (b, a) => value(a) / value(b))]):0.00}x");
            });
            output.WriteLine($"| {name} | {string.Join(" | ", cells)} |");
        }
    }

    private static double Median(List<Launch> launches, Func<Launch, double> value) => Median([.. launches.Select(value)]);

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    internal sealed record App(string Name, string Project, string[] PublishArguments, string Path)
    {
        public string Directory { get; set; } = "";
    }

    private sealed record Launch(TimeSpan FirstAnswer, StartupTimes Startup, Memory AfterFirst, Memory AfterMore);

    /// <summary>
    /// Resident set (VmRSS) and its private anonymous part (RssAnon) from /proc, in MiB, and the resident MiB of each
    /// mapping (a file by its name; JIT-compiled code is "memfd:doublemapper"); Linux only.
    /// </summary>
    private sealed record Memory(double VmRss, double RssAnon, IReadOnlyDictionary<string, double> Mappings)
    {
        public static Memory Of(int processId)
        {
            var fields = File.ReadLines($"/proc/{processId}/status")
                .Select(l => l.Split(':', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1].Trim());
            var mappings = new Dictionary<string, double>();
            var current = "";
            foreach (var line in File.ReadLines($"/proc/{processId}/smaps"))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts is [var range, _, _, _, _, ..] && range.Contains('-', StringComparison.Ordinal) && !range.EndsWith(':'))
                {
                    current = parts.Length > 5 ? Path.GetFileName(parts[5]) : "[anonymous]";
                }
                else if (parts is ["Rss:", var kilobytes, ..])
                {
                    mappings[current] = mappings.GetValueOrDefault(current) + MiB(kilobytes);
                }
            }

            return new Memory(MiB(fields["VmRSS"]), MiB(fields["RssAnon"]), mappings);
        }

        private static double MiB(string kilobytes) => double.Parse(kilobytes.Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }
}
