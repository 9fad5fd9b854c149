using System.Reflection;
using FunctionsHostHarness;
using IdentityEmulator;
using TestSupport;

namespace FunctionApp.WorkerProcess.Tests;

/// <summary>
/// FunctionApp's worker process (the build output the tests reference) under the harness, with the identity emulator
/// and the sample API on loopback, configured through app settings only, as in Azure.
/// </summary>
public sealed class FunctionAppWorker : IAsyncDisposable
{
    private readonly SampleApi _api;
    private readonly Dictionary<string, string> _settings;

    private FunctionAppWorker(EmulatorApp emulator, SampleApi api, Dictionary<string, string> settings, FunctionsHost host)
    {
        Emulator = emulator;
        _api = api;
        _settings = settings;
        Host = host;
    }

    /// <summary>FunctionApp's build output, in the configuration these tests were built in.</summary>
    public static string AppDirectory { get; } = Path.Combine(
        Repository.Root, "FunctionApp", "bin",
        typeof(FunctionAppWorker).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0");

    public EmulatorApp Emulator { get; }

    public FunctionsHost Host { get; private set; }

    /// <summary>Starts the emulator for <paramref name="tenant"/>, the sample API and the worker with the app settings a deployment sets.</summary>
    public static async Task<FunctionAppWorker> StartAsync(TestTenant tenant, Action<Dictionary<string, string>, EmulatorApp>? configure = null)
    {
        var emulator = await tenant.StartAsync();
        SampleApi? api = null;
        try
        {
            api = await SampleApi.StartAsync(emulator, tenant);
            var settings = WorkerSettings.For(tenant, emulator, api);
            configure?.Invoke(settings, emulator);
            return new FunctionAppWorker(emulator, api, settings, await FunctionsHost.StartAsync(AppDirectory, settings));
        }
        catch
        {
            if (api is not null)
            {
                await api.DisposeAsync();
            }

            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the worker process and starts a new one, as a restart of the app does; the emulator and the API stay.</summary>
    public async Task RestartAsync()
    {
        await Host.DisposeAsync();
        Host = await FunctionsHost.StartAsync(AppDirectory, _settings);
    }

    public async Task<HttpAnswer> GetAsync(string pathAndQuery, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(pathAndQuery, UriKind.Relative));
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }

        using var response = await Host.SendAsync(request);
        var retryAfter = response.Headers.RetryAfter?.ToString();
        var body = await response.Content.ReadAsStringAsync();
        return new HttpAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, retryAfter);
    }

    /// <summary>Lines of the worker's RpcLogs, stdout or stderr that hold a token or the identity header.</summary>
    public IReadOnlyList<string> Leaks()
    {
        var sink = new CapturedLogs(keepLines: false, Emulator.IdentityHeader);
        return [.. Host.Transcript.Split(Environment.NewLine).Where(sink.HasSecret)];
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _api.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
