using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FunctionsHostHarness.Rpc;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsHostHarness;

/// <summary>
/// Plays the Functions host for one worker process: a gRPC server on a free loopback port, the worker launched against
/// it, then init, indexing (the worker reports its functions) and one load per function. HTTP requests go where the
/// host sends them (the worker's HttpUri, with the invocation id as a header, and an InvocationRequest at the same
/// time); timers are invoked as the host invokes them. What it leaves out: function keys and authorization levels,
/// host.json timeouts, CRON evaluation, scale, retries.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication _server;
    private readonly WorkerProcess _worker;
    private readonly WorkerConnection _connection;
    private readonly HttpClient _http;
    private readonly IReadOnlyList<HttpRoute> _routes;

    private FunctionsHost(
        WebApplication server,
        WorkerProcess worker,
        WorkerConnection connection,
        IReadOnlyDictionary<string, string> capabilities,
        IReadOnlyDictionary<string, RpcFunctionMetadata> functions,
        IReadOnlyList<HttpRoute> routes,
        StartupTimes startup)
    {
        _server = server;
        _worker = worker;
        _connection = connection;
        Capabilities = capabilities;
        Functions = functions;
        _routes = routes;
        Startup = startup;
        _http = new HttpClient { BaseAddress = new Uri(capabilities["HttpUri"]), Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>What the worker answered to WorkerInitRequest (HttpUri among them).</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; }

    /// <summary>The functions the worker reported when it indexed itself, by name.</summary>
    public IReadOnlyDictionary<string, RpcFunctionMetadata> Functions { get; }

    public int ProcessId => _worker.Id;

    /// <summary>Stopwatch timestamp of the worker's launch: cold-start figures count from here.</summary>
    public long LaunchTimestamp => _worker.LaunchTimestamp;

    /// <summary>When each start-up step completed, from the launch.</summary>
    public StartupTimes Startup { get; }

    public Process Process => _worker.Process;

    public IReadOnlyList<RpcLog> Logs => _connection.Logs;

    /// <summary>Everything the worker said: its RpcLogs and its stdout and stderr lines.</summary>
    public string Transcript => string.Join(Environment.NewLine, _worker.Output.Concat(Logs.Select(Format)));

    /// <summary>Launches the worker in <paramref name="appDirectory"/> and takes it through init, indexing and loading.</summary>
    public static async Task<FunctionsHost> StartAsync(string appDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var service = new EventStreamService();
        var server = await StartServerAsync(service);
        WorkerProcess? worker = null;
        try
        {
            var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            worker = WorkerProcess.Start(appDirectory, address, Guid.NewGuid().ToString(), settings);
            var connection = await ConnectAsync(service, worker);
            var connected = Stopwatch.GetElapsedTime(worker.LaunchTimestamp);
            using var timeout = new CancellationTokenSource(StepTimeout);

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
                new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } },
                ReplyKeys.Metadata,
                timeout.Token)).FunctionMetadataResponse;
            EnsureSuccess(metadata.Result, "FunctionsMetadataRequest", worker, connection);
            var indexed = Stopwatch.GetElapsedTime(worker.LaunchTimestamp);

            // One request per function: the .NET worker does not handle FunctionLoadRequestCollection.
            var routePrefix = RoutePrefix(appDirectory);
            var routes = new List<HttpRoute>();
            foreach (var function in metadata.FunctionMetadataResults)
            {
                var bindings = function.RawBindings.Select(b => JsonDocument.Parse(b).RootElement).ToList();
                foreach (var binding in bindings)
                {
                    function.Bindings[binding.GetProperty("name").GetString()!] = BindingInfoOf(binding);
                }

                routes.AddRange(bindings.Select(b => HttpRoute.FromBinding(function.Name, b, routePrefix)).OfType<HttpRoute>());
                var load = (await connection.RequestAsync(
                    new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function } },
                    ReplyKeys.Load(function.FunctionId),
                    timeout.Token)).FunctionLoadResponse;
                EnsureSuccess(load.Result, $"FunctionLoadRequest for {function.Name}", worker, connection);
            }

            return new FunctionsHost(
                server,
                worker,
                connection,
                init.Capabilities.ToDictionary(),
                metadata.FunctionMetadataResults.ToDictionary(f => f.Name),
                routes,
                new StartupTimes(connected, indexed, Stopwatch.GetElapsedTime(worker.LaunchTimestamp)));
        }
        catch
        {
            worker?.Dispose();
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends a request as the host would after matching the route: to the worker's HttpUri with the invocation id,
    /// with an InvocationRequest for that function at the same time. A path no function declares is answered 404, as
    /// the host answers it, without reaching the worker.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        request.RequestUri = new Uri(_http.BaseAddress!, request.RequestUri!);
        var match = _routes.Select(r => (Route: r, Values: r.Match(request.Method.Method, request.RequestUri.AbsolutePath)))
            .FirstOrDefault(m => m.Values is not null);
        if (match.Route is null)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        var invocationId = Guid.NewGuid().ToString();
        var invocation = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = Functions[match.Route.FunctionName].FunctionId,
            InputData = { new ParameterBinding { Name = match.Route.TriggerName, Data = new TypedData { Http = new RpcHttp() } } },
            TraceContext = NewTraceContext(),
        };
        // The host's binding data for an HTTP trigger: route values and query values (not the function key) as
        // strings, the query and headers as JSON. Non-binding parameters such as a route value bind from it.
        var query = QueryHelpers.ParseQuery(request.RequestUri.Query);
        foreach (var (name, value) in query.Where(q => q.Key != "code"))
        {
            invocation.TriggerMetadata[name] = new TypedData { String = value.ToString() };
        }

        foreach (var (name, value) in match.Values!)
        {
            invocation.TriggerMetadata[name] = new TypedData { String = value };
        }

        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(query.ToDictionary(q => q.Key, q => q.Value.ToString())) };
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value))) };

        request.Headers.Add("x-ms-invocation-id", invocationId);
        var invoked = InvokeAsync(invocation, cancellationToken);
        var response = await ForwardAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        await invoked;
        return response;
    }

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(pathAndQuery, UriKind.Relative)), cancellationToken);

    /// <summary>Invokes a timer-triggered function with the TimerInfo the host would send.</summary>
    public Task<InvocationResponse> InvokeTimerAsync(string functionName, bool isPastDue = false, CancellationToken cancellationToken = default)
    {
        var function = Functions[functionName];
        var trigger = function.Bindings.Single(b => b.Value.Type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase)).Key;
        var timerInfo = JsonSerializer.Serialize(new { Schedule = new { AdjustForDST = true }, ScheduleStatus = (object?)null, IsPastDue = isPastDue });
        return InvokeAsync(
            new InvocationRequest
            {
                InvocationId = Guid.NewGuid().ToString(),
                FunctionId = function.FunctionId,
                InputData = { new ParameterBinding { Name = trigger, Data = new TypedData { Json = timerInfo } } },
                TriggerMetadata = { ["TimerTrigger"] = new TypedData { String = DateTimeOffset.UtcNow.ToString("O") } },
                TraceContext = NewTraceContext(),
            },
            cancellationToken);
    }

    /// <summary>Sends WorkerTerminate and waits for the process to exit; null if it had to be killed.</summary>
    public async Task<int?> StopAsync(TimeSpan gracePeriod)
    {
        if (!_worker.Process.HasExited)
        {
            await _connection.SendAsync(
                new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) } },
                CancellationToken.None);
        }

        return await _worker.WaitForExitAsync(gracePeriod + TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_worker.Process.HasExited)
        {
            await StopAsync(TimeSpan.FromSeconds(5));
        }

        _worker.Dispose();
        _connection.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<InvocationResponse> InvokeAsync(InvocationRequest invocation, CancellationToken cancellationToken) =>
        (await _connection.RequestAsync(
            new StreamingMessage { InvocationRequest = invocation },
            ReplyKeys.Invocation(invocation.InvocationId),
            cancellationToken)).InvocationResponse;

    // The worker's Kestrel may start listening after the worker has answered init; the host retries such a request
    // (azure-functions-host, src/WebJobs.Script/Http/RetryProxyHandler.cs: 10 tries, 50 to 250 ms apart).
    private async Task<HttpResponseMessage> ForwardAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt < 10)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
                var retry = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content };
                foreach (var header in request.Headers)
                {
                    retry.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request = retry;
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

    private static async Task<WorkerConnection> ConnectAsync(EventStreamService service, WorkerProcess worker)
    {
        var exited = worker.Process.WaitForExitAsync();
        var first = await Task.WhenAny(service.Connected, exited, Task.Delay(StepTimeout));
        if (first == service.Connected)
        {
            return await service.Connected;
        }

        if (first == exited)
        {
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(5));
            throw new WorkerProcessException(
                $"The worker exited with code {worker.Process.ExitCode} before it connected:{Environment.NewLine}{string.Join(Environment.NewLine, worker.Output)}");
        }

        throw new WorkerProcessException(
            $"The worker did not connect within {StepTimeout.TotalSeconds} s:{Environment.NewLine}{string.Join(Environment.NewLine, worker.Output)}");
    }

    private static void EnsureSuccess(StatusResult result, string step, WorkerProcess worker, WorkerConnection connection)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            var output = worker.Output.Concat(connection.Logs.Select(Format));
            throw new WorkerProcessException(
                $"{step} failed: {result.Exception?.Message}{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
        }
    }

    private static BindingInfo BindingInfoOf(JsonElement binding) => new()
    {
        Type = binding.GetProperty("type").GetString(),
        Direction = binding.TryGetProperty("direction", out var direction) && direction.GetString() == "Out"
            ? BindingInfo.Types.Direction.Out
            : BindingInfo.Types.Direction.In,
    };

    private static string RoutePrefix(string appDirectory)
    {
        var hostJson = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(hostJson))
        {
            return "api";
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJson));
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString()!
            : "api";
    }

    private static RpcTraceContext NewTraceContext() =>
        new() { TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01", TraceState = "" };

    private static string Format(RpcLog log) =>
        $"[rpc {log.Level} {log.Category}{(log.EventId.Length > 0 ? " " + log.EventId : "")}] {log.Message}{(log.Exception is null ? "" : " " + log.Exception.Message)}";
}

/// <summary>Time from the worker's launch to its StartStream, to its function metadata, and to its last function load.</summary>
public sealed record StartupTimes(TimeSpan Connected, TimeSpan Indexed, TimeSpan Loaded);
