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
/// 200 more requests. Reports medians and the ratios. Exit code 1 when an answer was not 200.
/// </summary>
internal static class ColdStartRun
{
    private const int RequestsAfterFirst = 200;

    public static async Task<int> RunAsync(int launches, TextWriter output, CancellationToken interrupted)
    {
        var artifacts = Path.Combine(Repository.Root, "BenchmarkDotNet.Artifacts", "cold-start");
        App[] apps =
        [
            new("bare worker", Path.Combine(Repository.Root, "benchmarks", "BareWorker", "BareWorker.csproj"), "api/Ping"),
            new("FunctionApp", Path.Combine(Repository.Root, "FunctionApp", "FunctionApp.csproj"), "api/graph/users?top=1"),
        ];
        foreach (var app in apps)
        {
            app.Directory = await PublishAsync(app.Project, Path.Combine(artifacts, Path.GetFileNameWithoutExtension(app.Project)), output, interrupted);
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

    private static async Task<string> PublishAsync(string project, string directory, TextWriter output, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var publish = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", directory, "--nologo", "-v", "quiet"])
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
            throw new InvalidOperationException($"dotnet publish {project} failed:{Environment.NewLine}{await log}{await errors}");
        }

        var zip = Path.Combine(Path.GetTempPath(), $"cold-start-{Guid.NewGuid():N}.zip");
        ZipFile.CreateFromDirectory(directory, zip, CompressionLevel.Optimal, includeBaseDirectory: false);
        var bytes = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        output.WriteLine(FormattableString.Invariant($"Published {Path.GetFileName(project)}: {bytes / 1e6:0.0} MB in {directory}, zipped {new FileInfo(zip).Length / 1048576.0:0.0} MiB"));
        File.Delete(zip);
        return directory;
    }

    private static void Report(TextWriter output, App[] apps, Dictionary<App, List<Launch>> results)
    {
        var (bare, app) = (results[apps[0]], results[apps[1]]);
        output.WriteLine();
        output.WriteLine("| Median (min to max) | bare worker | FunctionApp | ratio of medians |");
        output.WriteLine("| --- | ---: | ---: | ---: |");
        Row("launch to StartStream, ms", l => l.Startup.Connected.TotalMilliseconds);
        Row("launch to functions loaded, ms", l => l.Startup.Loaded.TotalMilliseconds);
        Row("**launch to first answer, ms**", l => l.FirstAnswer.TotalMilliseconds);
        Row("VmRSS after the first answer, MiB", l => l.AfterFirst.VmRss);
        Row("RssAnon after the first answer, MiB", l => l.AfterFirst.RssAnon);
        Row($"VmRSS after {RequestsAfterFirst} more, MiB", l => l.AfterMore.VmRss);
        Row($"RssAnon after {RequestsAfterFirst} more, MiB", l => l.AfterMore.RssAnon);

        void Row(string name, Func<Launch, double> value)
        {
            var (b, a) = (Median(bare, value), Median(app, value));
            output.WriteLine(FormattableString.Invariant(
                $"| {name} | {b:0} ({bare.Min(value):0} to {bare.Max(value):0}) | {a:0} ({app.Min(value):0} to {app.Max(value):0}) | {a / b:0.00}x |"));
        }
    }

    private static double Median(List<Launch> launches, Func<Launch, double> value)
    {
        var sorted = launches.Select(value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record App(string Name, string Project, string Path)
    {
        public string Directory { get; set; } = "";
    }

    private sealed record Launch(TimeSpan FirstAnswer, StartupTimes Startup, Memory AfterFirst, Memory AfterMore);

    /// <summary>Resident set (VmRSS) and its private anonymous part (RssAnon) from /proc, in MiB; Linux only.</summary>
    private sealed record Memory(double VmRss, double RssAnon)
    {
        public static Memory Of(int processId)
        {
            var fields = File.ReadLines($"/proc/{processId}/status")
                .Select(l => l.Split(':', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1].Trim());
            return new Memory(MiB(fields["VmRSS"]), MiB(fields["RssAnon"]));
        }

        private static double MiB(string kilobytes) => double.Parse(kilobytes.Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }
}
