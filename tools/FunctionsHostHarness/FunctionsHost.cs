using System.Net;
using System.Text.Json;
using FunctionsHostHarness.Rpc;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;

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
    // A bound on one invocation, so that a worker that stops answering fails a test instead of hanging it: host.json's
    // functionTimeout in this repository.
    private static readonly TimeSpan InvocationTimeout = TimeSpan.FromMinutes(2);

    private readonly WebApplication _server;
    private readonly WorkerProcess _worker;
    private readonly WorkerConnection _connection;
    private readonly HttpClient _http;
    private readonly IReadOnlyList<HttpRoute> _routes;

    // Set once StopAsync has sent WorkerTerminate; read by requests in flight on other threads.
    private volatile bool _terminating;

    private FunctionsHost(StartedWorker started)
    {
        (_server, _worker, _connection) = (started.Server, started.Worker, started.Connection);
        (Capabilities, Functions, Startup) = (started.Capabilities, started.Functions, started.Times);
        _routes = HttpRoute.All(Functions.Values, _worker.AppDirectory);
        _http = new HttpClient { BaseAddress = new Uri(Capabilities["HttpUri"]), Timeout = InvocationTimeout };
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

    public IReadOnlyList<RpcLog> Logs => _connection.Logs;

    /// <summary>Everything the worker said: its stdout and stderr lines, then its RpcLogs.</summary>
    public string Transcript => _worker.Transcript(_connection);

    /// <summary>
    /// Launches the worker in <paramref name="appDirectory"/> and takes it through init, indexing and loading.
    /// </summary>
    public static async Task<FunctionsHost> StartAsync(
        string appDirectory, IReadOnlyDictionary<string, string> settings) =>
        new(await WorkerStartup.StartAsync(appDirectory, settings));

    /// <summary>
    /// Sends a request as the host would after matching the route: to the worker's HttpUri with the invocation id,
    /// with an InvocationRequest for that function at the same time. A path no function declares is answered 404, as
    /// the host answers it, without reaching the worker.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        request.RequestUri = new Uri(_http.BaseAddress!, request.RequestUri!);
        if (MatchRoute(request) is not { } match)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        // The invocation's Headers binding data holds the caller's headers: it is built before the host adds its own.
        var functionId = Functions[match.Route.FunctionName].FunctionId;
        var invocation = match.Route.Invocation(functionId, match.Values, request);
        invocation.TraceContext = NewTraceContext();

        AddInvocationIdHeader(request, invocation);
        SetForwardedHeaders(request);
        AddTraceParentIfMissing(request, invocation);
        return await InvokeAndForwardAsync(invocation, request, cancellationToken);
    }

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(pathAndQuery, UriKind.Relative)), cancellationToken);

    /// <summary>
    /// Invokes a timer-triggered function with the TimerInfo and trigger metadata the host would send.
    /// </summary>
    public Task<InvocationResponse> InvokeTimerAsync(
        string functionName, bool isPastDue = false, CancellationToken cancellationToken = default)
    {
        var function = Functions[functionName];
        var trigger = function.Bindings
            .Single(b => b.Value.Type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase))
            .Key;
        var timerInfo = JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = (object?)null,
            IsPastDue = isPastDue,
        });
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
        _terminating = true;
        if (!_worker.Process.HasExited)
        {
            await _connection.SendAsync(
                new StreamingMessage
                {
                    WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) },
                },
                CancellationToken.None);
        }

        return await _worker.WaitForExitAsync(gracePeriod + TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_worker.Process.HasExited && !_connection.Closed.IsCompleted)
            {
                await StopAsync(TimeSpan.FromSeconds(5));
            }
        }
        finally
        {
            _worker.Dispose();
            _connection.Dispose();
            _http.Dispose();
            await _server.DisposeAsync();
        }
    }

    /// <summary>The first function whose route matches the request's method and path, with its route values.</summary>
    private RouteMatch? MatchRoute(HttpRequestMessage request)
    {
        foreach (var route in _routes)
        {
            if (route.Match(request.Method.Method, request.RequestUri!.AbsolutePath) is { } values)
            {
                return new RouteMatch(route, values);
            }
        }

        return null;
    }

    // The real host adds x-ms-invocation-id to every request it forwards: the worker's ASP.NET Core integration
    // pairs the forwarded HTTP request with its InvocationRequest by it.
    private static void AddInvocationIdHeader(HttpRequestMessage request, InvocationRequest invocation) =>
        request.Headers.Add("x-ms-invocation-id", invocation.InvocationId);

    // The host forwards through YARP (azure-functions-host v4.1036.3, DefaultHttpProxyService), whose default
    // transforms set these; here the client is a local caller of `func start`.
    private static void SetForwardedHeaders(HttpRequestMessage request)
    {
        (string Name, string Value)[] forwarded =
        [
            ("X-Forwarded-For", "127.0.0.1"),
            ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Host", "localhost:7071"),
        ];
        foreach (var (name, value) in forwarded)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    // .NET's DiagnosticsHandler in the host adds a traceparent when the caller sent none.
    private static void AddTraceParentIfMissing(HttpRequestMessage request, InvocationRequest invocation)
    {
        if (!request.Headers.Contains("traceparent"))
        {
            request.Headers.TryAddWithoutValidation("traceparent", invocation.TraceContext.TraceParent);
        }
    }

    // The host sends the InvocationRequest and the HTTP request at the same time; the worker pairs them.
    private async Task<HttpResponseMessage> InvokeAndForwardAsync(
        InvocationRequest invocation, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var invoked = InvokeAsync(invocation, cancellationToken);
        try
        {
            var response = await ForwardAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        finally
        {
            await ReplyAsync(invoked);
        }
    }

    // The worker answers the invocation whatever became of the HTTP request, except while it stops: told to
    // terminate, it may close its event stream before the reply to a request its Kestrel has already drained and
    // answered (WorkerLifecycleTests saw it once in five runs of the suite). The host stopped that worker itself, so
    // the caller keeps the HTTP answer the worker gave.
    private async Task ReplyAsync(Task<InvocationResponse> invoked)
    {
        try
        {
            await invoked;
        }
        catch (EndOfStreamException) when (_terminating)
        {
        }
    }

    private async Task<InvocationResponse> InvokeAsync(
        InvocationRequest invocation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InvocationTimeout);
        return (await _connection.RequestAsync(
            new StreamingMessage { InvocationRequest = invocation },
            ReplyKeys.Invocation(invocation.InvocationId),
            timeout.Token)).InvocationResponse;
    }

    // The worker's Kestrel may start listening after the worker has answered init; the host retries such a request
    // (azure-functions-host, src/WebJobs.Script/Http/RetryProxyHandler.cs: 10 tries, 50 to 250 ms apart).
    private async Task<HttpResponseMessage> ForwardAsync(
        HttpRequestMessage request, CancellationToken cancellationToken)
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

    private static RpcTraceContext NewTraceContext() =>
        new() { TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01", TraceState = "" };

    private sealed record RouteMatch(HttpRoute Route, Dictionary<string, string> Values);
}
