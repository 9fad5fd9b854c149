using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FunctionsHostHarness.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsHostHarness;

/// <summary>
/// The host's start-up of a worker: its gRPC server, the launch, init, indexing and one load per function.
/// </summary>
internal static class WorkerStartup
{
    // A bound on the whole start-up, so that a worker that never connects or answers fails a test
    // instead of hanging it.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static async Task<StartedWorker> StartAsync(
        string appDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var service = new EventStreamService();
        var server = await StartServerAsync(service);
        WorkerProcess? worker = null;
        WorkerConnection? connection = null;
        StartedWorker? started = null;
        try
        {
            var addresses = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            var address = new Uri(addresses.Addresses.First());
            worker = WorkerProcess.Start(appDirectory, address, settings);
            using var timeout = new CancellationTokenSource(StartTimeout);
            connection = await ConnectAsync(service, worker, timeout.Token);
            var connected = Stopwatch.GetElapsedTime(worker.LaunchTimestamp);

            var init = (await connection.RequestAsync(
                new StreamingMessage
                {
                    WorkerInitRequest = new WorkerInitRequest
                    {
                        HostVersion = "4.0.0-harness",
                        WorkerDirectory = appDirectory,
                        FunctionAppDirectory = appDirectory,
                    },
                },
                ReplyKeys.Init,
                timeout.Token)).WorkerInitResponse;
            EnsureSuccess(init.Result, "WorkerInitRequest", worker, connection);

            var metadata = (await connection.RequestAsync(
                new StreamingMessage
                {
                    FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
                },
                ReplyKeys.Metadata,
                timeout.Token)).FunctionMetadataResponse;
            EnsureSuccess(metadata.Result, "FunctionsMetadataRequest", worker, connection);

            // One request per function, its bindings map filled from the raw bindings as the host fills it: the .NET
            // worker reads the map, and it does not handle FunctionLoadRequestCollection.
            foreach (var function in metadata.FunctionMetadataResults)
            {
                FillBindings(function);
                var load = (await connection.RequestAsync(
                    new StreamingMessage
                    {
                        FunctionLoadRequest = new FunctionLoadRequest
                        {
                            FunctionId = function.FunctionId,
                            Metadata = function,
                        },
                    },
                    ReplyKeys.Load(function.FunctionId),
                    timeout.Token)).FunctionLoadResponse;
                EnsureSuccess(load.Result, $"FunctionLoadRequest for {function.Name}", worker, connection);
            }

            started = new StartedWorker(
                server,
                worker,
                connection,
                init.Capabilities.ToDictionary(),
                metadata.FunctionMetadataResults.ToDictionary(f => f.Name),
                new StartupTimes(connected, Stopwatch.GetElapsedTime(worker.LaunchTimestamp)));
            return started;
        }
        catch (Exception e) when (worker is not null && e is OperationCanceledException or EndOfStreamException)
        {
            var reason = e is EndOfStreamException
                ? e.Message
                : $"The worker did not start within {StartTimeout.TotalSeconds} s.";
            throw new WorkerProcessException($"{reason}{Environment.NewLine}{worker.Transcript(connection)}");
        }
        finally
        {
            if (started is null)
            {
                worker?.Dispose();
                connection?.Dispose();
                await server.DisposeAsync();
            }
        }
    }

    private static async Task<WebApplication> StartServerAsync(EventStreamService service)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<EventStreamService>();
        await app.StartAsync();
        return app;
    }

    private static void FillBindings(RpcFunctionMetadata function)
    {
        foreach (var binding in function.RawBindings.Select(b => JsonDocument.Parse(b).RootElement))
        {
            var direction = binding.GetProperty("direction").GetString() == "Out"
                ? BindingInfo.Types.Direction.Out
                : BindingInfo.Types.Direction.In;
            function.Bindings[binding.GetProperty("name").GetString()!] = new BindingInfo
            {
                Type = binding.GetProperty("type").GetString(),
                Direction = direction,
            };
        }
    }

    private static async Task<WorkerConnection> ConnectAsync(
        EventStreamService service, WorkerProcess worker, CancellationToken cancellationToken)
    {
        var exited = worker.Process.WaitForExitAsync(cancellationToken);
        if (await Task.WhenAny(service.Connected, exited).WaitAsync(cancellationToken) == service.Connected)
        {
            return await service.Connected;
        }

        await exited;
        throw new WorkerProcessException(
            $"The worker exited with code {worker.Process.ExitCode} before it connected:"
            + $"{Environment.NewLine}{worker.Transcript(null)}");
    }

    private static void EnsureSuccess(
        StatusResult result, string step, WorkerProcess worker, WorkerConnection connection)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new WorkerProcessException(
                $"{step} failed: {result.Exception?.Message}{Environment.NewLine}{worker.Transcript(connection)}");
        }
    }
}

internal sealed record StartedWorker(
    WebApplication Server,
    WorkerProcess Worker,
    WorkerConnection Connection,
    IReadOnlyDictionary<string, string> Capabilities,
    IReadOnlyDictionary<string, RpcFunctionMetadata> Functions,
    StartupTimes Times);
