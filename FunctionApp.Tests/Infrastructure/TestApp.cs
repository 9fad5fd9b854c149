using FunctionApp.Hosting;
using IdentityEmulator;
using IdentityEmulator.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Text.Json;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The Function app's real service provider (built by the same AddFunctionAppServices call as Program.cs) against an
/// emulator on loopback, with the platform's managed-identity environment variables pointing at it. Disposing it
/// fails the test if any log line carried a token or the identity header.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ManagedIdentityEnvironment _environment;
    private readonly bool _ownsEmulator;

    private TestApp(IHost host, ManagedIdentityEnvironment environment, EmulatorApp emulator, bool ownsEmulator, TestTenant tenant, CapturedLogs logs)
    {
        _host = host;
        _environment = environment;
        _ownsEmulator = ownsEmulator;
        Emulator = emulator;
        Tenant = tenant;
        Logs = logs;
    }

    public EmulatorApp Emulator { get; }

    public TestTenant Tenant { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts an emulator for <paramref name="tenant"/> and the app on top of it. By default the app uses the
    /// tenant's user-assigned identity: its fresh client id keeps MSAL's process-wide cache from serving this test a
    /// token another test's emulator signed.
    /// </summary>
    public static async Task<TestApp> StartAsync(
        TestTenant tenant,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        EmulatorApp? emulator = null)
    {
        var ownsEmulator = emulator is null;
        emulator ??= await tenant.StartAsync();
        var environment = ManagedIdentityEnvironment.AppService(emulator);
        var logs = new CapturedLogs();
        var configuration = new Dictionary<string, string?>
        {
            ["Identity:Credential"] = "ManagedIdentity",
            ["Identity:UserAssignedClientId"] = tenant.UserAssignedClientId.ToString(),
            ["Graph:BaseUrl"] = emulator.GraphBaseUrl.ToString(),
            ["ProbeSchedule"] = "0 */5 * * * *",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(configuration);
            builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
            builder.AddFunctionAppServices();
            services?.Invoke(builder.Services);
            var host = builder.Build();
            await host.StartAsync();
            return new TestApp(host, environment, emulator, ownsEmulator, tenant, logs);
        }
        catch
        {
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
    public Task<HttpAnswer> InvokeAsync(Func<HttpRequest, CancellationToken, Task<IResult>> run, string queryString) =>
        ExecuteAsync(run, queryString);

    /// <summary>Invokes an HTTP function that also binds a route value.</summary>
    public Task<HttpAnswer> InvokeAsync(Func<HttpRequest, string, CancellationToken, Task<IResult>> run, string routeValue, string queryString = "") =>
        ExecuteAsync((request, cancellationToken) => run(request, routeValue, cancellationToken), queryString);

    private async Task<HttpAnswer> ExecuteAsync(Func<HttpRequest, CancellationToken, Task<IResult>> run, string queryString)
    {
        var context = new DefaultHttpContext { RequestServices = _host.Services };
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = new QueryString(queryString);
        context.Response.Body = new MemoryStream();
        var result = await run(context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return new HttpAnswer(context.Response.StatusCode, context.Response.ContentType, body);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Logs.AssertNoSecrets(Emulator.IdentityHeader);
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
}

internal sealed record HttpAnswer(int Status, string? ContentType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public void AssertNoToken() => Assert.DoesNotMatch(CapturedLogs.JwtPattern(), Body);
}
