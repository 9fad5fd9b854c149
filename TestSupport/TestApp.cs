using FunctionApp.Hosting;
using FunctionApp.Http;
using IdentityEmulator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TestSupport;

/// <summary>
/// The Function app's real service provider (built by the same AddFunctionAppServices call as Program.cs) against an
/// emulator on loopback, with the platform's managed-identity environment variables pointing at it. The functions are
/// invoked as the worker invokes them: an instance from the container, a real HttpContext, the app's middleware, the
/// IResult executed.
/// Disposing it throws if any log line carried a token or the identity header.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ManagedIdentityEnvironment _environment;
    private readonly bool _ownsEmulator;

    private TestApp(IHost host, ManagedIdentityEnvironment environment, EmulatorApp emulator, bool ownsEmulator, CapturedLogs logs)
    {
        _host = host;
        _environment = environment;
        _ownsEmulator = ownsEmulator;
        Emulator = emulator;
        Logs = logs;
    }

    public EmulatorApp Emulator { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts the app on <paramref name="emulator"/>, or on a new emulator for <paramref name="tenant"/>, with
    /// <see cref="AppSettings"/> (the sample API's when <paramref name="api"/> is given) and then
    /// <paramref name="settings"/>, named as in local.settings.json (Section__Key; null unsets one). By default the
    /// app uses the tenant's user-assigned identity: its fresh client id keeps MSAL's process-wide cache from serving
    /// this app a token another emulator signed. <paramref name="countLogsOnly"/> logs at host.json's levels and keeps
    /// no lines, for long runs.
    /// </summary>
    public static async Task<TestApp> StartAsync(
        TestTenant tenant,
        IDictionary<string, string?>? settings = null,
        EmulatorApp? emulator = null,
        SampleApi? api = null,
        bool countLogsOnly = false)
    {
        var ownsEmulator = emulator is null;
        emulator ??= await tenant.StartAsync();
        var appSettings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in AppSettings.For(tenant, emulator, api))
        {
            appSettings[name] = value;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            appSettings[name] = value;
        }

        // Before the process-wide environment is set: a misnamed setting throws here.
        var configuration = AppSettings.AsConfiguration(appSettings);
        var environment = ManagedIdentityEnvironment.AppService(emulator);
        var logs = new CapturedLogs(keepLines: !countLogsOnly, emulator.IdentityHeader);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders().AddProvider(logs);
        if (countLogsOnly)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddFilter("Azure", LogLevel.Warning);
        }
        else
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        }

        builder.AddFunctionAppServices();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return new TestApp(host, environment, emulator, ownsEmulator, logs);
        }
        catch
        {
            host.Dispose();
            environment.Dispose();
            if (ownsEmulator)
            {
                await emulator.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Creates the function class from the container, as the worker does per invocation.</summary>
    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(_host.Services);

    /// <summary>Invokes an HTTP function with a real HttpContext and executes the IResult it returns.</summary>
    public Task<HttpAnswer> InvokeAsync(Func<HttpRequest, CancellationToken, Task<IResult>> run, string queryString, CancellationToken cancellationToken = default) =>
        ExecuteAsync(run, queryString, cancellationToken);

    /// <summary>Invokes an HTTP function that also binds a route value.</summary>
    public Task<HttpAnswer> InvokeAsync(Func<HttpRequest, string, CancellationToken, Task<IResult>> run, string routeValue, string queryString = "", CancellationToken cancellationToken = default) =>
        ExecuteAsync((request, token) => run(request, routeValue, token), queryString, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Logs.Leaks is [var leak, ..])
            {
                throw new InvalidOperationException($"A log line holds a token or the identity header: [{leak.Category}] event {leak.EventId}");
            }
        }
        finally
        {
            await _host.StopAsync();
            _host.Dispose();
            _environment.Dispose();
            if (_ownsEmulator)
            {
                await Emulator.DisposeAsync();
            }
        }
    }

    private async Task<HttpAnswer> ExecuteAsync(Func<HttpRequest, CancellationToken, Task<IResult>> run, string queryString, CancellationToken cancellationToken)
    {
        var context = new DefaultHttpContext { RequestServices = _host.Services };
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = new QueryString(queryString);
        context.Response.Body = new MemoryStream();
        // Through the app's own middleware, as the worker runs it: it answers a failure with its ProblemDetails. The
        // IResult a function returns is executed after the middleware, as the ASP.NET Core integration does.
        var middleware = ActivatorUtilities.CreateInstance<ProblemDetailsMiddleware>(_host.Services);
        IResult? result = null;
        await middleware.Invoke(
            new TestFunctionContext(context, cancellationToken),
            async _ => result = await run(context.Request, cancellationToken));
        if (result is not null)
        {
            await result.ExecuteAsync(context);
        }

        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync(cancellationToken);
        var retryAfter = context.Response.Headers.RetryAfter.ToString();
        return new HttpAnswer(context.Response.StatusCode, context.Response.ContentType, body, NullIfEmpty(retryAfter));
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
