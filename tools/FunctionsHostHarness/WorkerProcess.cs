using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FunctionsHostHarness.Rpc;

namespace FunctionsHostHarness;

/// <summary>
/// The worker process, launched as the host launches it: the executable and worker path from worker.config.json, the
/// host's command-line arguments in both spellings, and an environment built from an allow-list plus the app settings,
/// so that no AZURE_*, IDENTITY_* or MSI_* variable of whoever runs the tests reaches the app.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    // What a process needs to start .NET at all; everything else comes from the settings.
    private static readonly string[] InheritedVariables =
        ["PATH", "HOME", "TMPDIR", "TEMP", "TMP", "DOTNET_ROOT", "SystemRoot", "USERPROFILE"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process, string appDirectory)
    {
        _process = process;
        AppDirectory = appDirectory;
    }

    public string AppDirectory { get; }

    public int Id => _process.Id;

    /// <summary>Stopwatch timestamp taken just before the process was started.</summary>
    public long LaunchTimestamp { get; private set; }

    public Process Process => _process;

    /// <summary>What the process wrote to stdout and stderr, in order, each line marked with its stream.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public static WorkerProcess Start(string appDirectory, Uri hostUri, IReadOnlyDictionary<string, string> settings)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(appDirectory, "worker.config.json")));
        var description = config.RootElement.GetProperty("description");
        var start = new ProcessStartInfo(description.GetProperty("defaultExecutablePath").GetString()!)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var (workerId, requestId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var maxMessageLength = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        string[] arguments =
        [
            Path.Combine(appDirectory, description.GetProperty("defaultWorkerPath").GetString()!),
            "--host", hostUri.Host, "--port", hostUri.Port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxMessageLength,
            "--functions-uri", hostUri.ToString(), "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxMessageLength,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var worker = new WorkerProcess(process, appDirectory);
        process.OutputDataReceived += (_, e) => worker.Record("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => worker.Record("stderr", e.Data);
        worker.LaunchTimestamp = Stopwatch.GetTimestamp();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>
    /// What the worker said: its stdout and stderr lines, then the RpcLogs of <paramref name="connection"/>.
    /// </summary>
    public string Transcript(WorkerConnection? connection) =>
        string.Join(Environment.NewLine, Output.Concat((connection?.Logs ?? []).Select(FormatLog)));

    private static string FormatLog(RpcLog log)
    {
        var exception = log.Exception is null ? "" : " " + log.Exception.Message;
        return $"[rpc {log.Level} {log.Category} {log.EventId}] {log.Message}{exception}";
    }

    /// <summary>Waits for the process to exit and its output to be read; kills it if it outlives the wait.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            return null;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Record(string stream, string? line)
    {
        if (line is not null)
        {
            _output.Enqueue($"[{stream}] {line}");
        }
    }
}
