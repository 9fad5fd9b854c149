using System.Diagnostics;
using System.Text.RegularExpressions;
using FunctionApp.Functions;
using FunctionApp.Hosting;
using IdentityEmulator;
using IdentityEmulator.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProtectedApi;

namespace Benchmarks.Load;

/// <summary>
/// The Function app's real service provider (the same AddFunctionAppServices call as Program.cs) on its
/// system-assigned managed identity, pointed at the identity emulator and the sample API on loopback, with the
/// functions invoked as the worker does: one instance from the container per invocation, a real HttpContext, the
/// returned IResult executed. The Functions host itself does not run here.
/// </summary>
internal sealed partial class InProcessFunctions : IAsyncDisposable
{
    private readonly WebApplication _api;
    private readonly IHost _app;

    private InProcessFunctions(EmulatorApp emulator, WebApplication api, FaultStage apiFaults, IHost app, LeakCheckingLoggerProvider logs)
    {
        Emulator = emulator;
        _api = api;
        ApiFaults = apiFaults;
        _app = app;
        Logs = logs;
    }

    public EmulatorApp Emulator { get; }

    public FaultStage ApiFaults { get; }

    public LeakCheckingLoggerProvider Logs { get; }

    public static async Task<InProcessFunctions> StartAsync(TimeSpan tokenLifetime)
    {
        var emulator = await EmulatorApp.StartAsync(new EmulatorOptions { Port = 0, TenantJson = Tenant.Json(out var tenantId, out var apiAppId), TokenLifetime = tokenLifetime });
        var apiFaults = new FaultStage();
        var api = ProtectedApiApplication.Create(
            [
                "--urls", "http://127.0.0.1:0",
                $"--EntraApi:TenantId={tenantId}",
                $"--EntraApi:ClientId={apiAppId}",
                $"--EntraApi:MetadataAddress={emulator.OpenIdConfigurationV2}",
                "--Logging:LogLevel:Default=Warning",
            ],
            builder => builder.Services.AddSingleton<IStartupFilter>(apiFaults));
        await api.StartAsync();
        var apiAddress = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        // What App Service sets for a managed identity; this process exists only for the run.
        foreach (var (name, value) in emulator.ManagedIdentityEnvironment)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        var logs = new LeakCheckingLoggerProvider(emulator.IdentityHeader);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:Credential"] = "ManagedIdentity",
            ["Graph:BaseUrl"] = emulator.GraphBaseUrl.ToString(),
            ["CustomApi:BaseUrl"] = apiAddress,
            ["CustomApi:Scope"] = $"api://{apiAppId}/.default",
            ["CustomApi:AppId"] = apiAppId.ToString(),
            ["ProbeSchedule"] = "0 */5 * * * *",
        });
        // host.json's levels: Information, Azure SDK logs from Warning.
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information).AddFilter("Azure", LogLevel.Warning);
        builder.AddFunctionAppServices();
        var app = builder.Build();
        await app.StartAsync();
        return new InProcessFunctions(emulator, api, apiFaults, app, logs);
    }

    public Task<string> GraphUsersAsync(CancellationToken cancellationToken) =>
        InvokeAsync((request, token) => Function<GetGraphUsers>().Run(request, token), "?top=3", cancellationToken);

    public Task<string> CustomResourceAsync(CancellationToken cancellationToken) =>
        InvokeAsync((request, token) => Function<GetCustomResource>().Run(request, "orders", token), "", cancellationToken);

    public Task<string> TokenClaimsAsync(CancellationToken cancellationToken) =>
        InvokeAsync((request, token) => Function<GetTokenClaims>().Run(request, token), "?target=protected-api", cancellationToken);

    public Task ProbeAsync(CancellationToken cancellationToken) => Function<ProbeTargets>().Run(new TimerInfo(), cancellationToken);

    /// <summary>Identity-endpoint requests so far, per resource.</summary>
    public IReadOnlyDictionary<string, long> IdentityRequests() =>
        Emulator.RequestCounts().Where(c => c.Endpoint == "managedIdentity").ToDictionary(c => c.Resource, c => c.Count);

    public static ProcessFigures Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return new ProcessFigures(process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false), process.HandleCount, process.Threads.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        _app.Dispose();
        await _api.StopAsync();
        await _api.DisposeAsync();
        await Emulator.DisposeAsync();
    }

    private T Function<T>() => ActivatorUtilities.CreateInstance<T>(_app.Services);

    /// <summary>The invocation's status, and for a ProblemDetails answer its title: a failure says which one it was.</summary>
    private async Task<string> InvokeAsync(Func<HttpRequest, CancellationToken, Task<IResult>> run, string query, CancellationToken cancellationToken)
    {
        var context = new DefaultHttpContext { RequestServices = _app.Services };
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = new QueryString(query);
        context.Response.Body = Stream.Null;
        var result = await run(context.Request, cancellationToken);
        await result.ExecuteAsync(context);
        var status = context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return result is ProblemHttpResult problem ? $"{status} {problem.ProblemDetails.Title}" : status;
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")]
    internal static partial Regex JwtPattern();
}

internal sealed record ProcessFigures(long WorkingSetBytes, long ManagedHeapBytes, int Handles, int Threads)
{
    public override string ToString() =>
        $"working set {WorkingSetBytes / 1024 / 1024} MiB, managed heap {ManagedHeapBytes / 1024 / 1024.0:0.0} MiB, handles {Handles}, threads {Threads}";
}

/// <summary>Counts log lines and the ones that carry a token or the identity header (the run fails if any do).</summary>
internal sealed class LeakCheckingLoggerProvider(string identityHeader) : ILoggerProvider
{
    private readonly string _identityHeader = identityHeader;
    private long _lines;
    private long _leaks;

    public long Lines => Interlocked.Read(ref _lines);

    public long Leaks => Interlocked.Read(ref _leaks);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LeakCheckingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref owner._lines);
            var text = formatter(state, exception) + exception;
            if (InProcessFunctions.JwtPattern().IsMatch(text) || text.Contains(owner._identityHeader, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref owner._leaks);
            }
        }
    }
}
