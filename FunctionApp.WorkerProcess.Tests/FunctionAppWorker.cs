using System.Reflection;
using FunctionsHostHarness;
using FunctionsHostHarness.Rpc;
using IdentityEmulator;
using TestSupport;

namespace FunctionApp.WorkerProcess.Tests;

/// <summary>
/// FunctionApp's worker process (the build output the tests reference) under the harness, with the identity emulator
/// and the sample API on loopback, configured through app settings only, as in Azure.
/// </summary>
public sealed class FunctionAppWorker : IAsyncDisposable
{
    private FunctionAppWorker(TestTenant tenant, EmulatorApp emulator, SampleApi api, FunctionsHost host)
    {
        Tenant = tenant;
        Emulator = emulator;
        Api = api;
        Host = host;
    }

    /// <summary>FunctionApp's build output, in the configuration these tests were built in.</summary>
    public static string AppDirectory { get; } = Path.Combine(
        Repository.Root, "FunctionApp", "bin",
        typeof(FunctionAppWorker).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0");

    public TestTenant Tenant { get; }

    public EmulatorApp Emulator { get; }

    public SampleApi Api { get; }

    public FunctionsHost Host { get; }

    /// <summary>Starts the emulator for <paramref name="tenant"/>, the sample API and the worker with the app settings a deployment sets.</summary>
    public static async Task<FunctionAppWorker> StartAsync(TestTenant tenant, Action<Dictionary<string, string>>? configure = null)
    {
        var emulator = await tenant.StartAsync();
        var api = await SampleApi.StartAsync(emulator, tenant);
        try
        {
            var settings = WorkerSettings.For(tenant, emulator, api);
            configure?.Invoke(settings);
            return new FunctionAppWorker(tenant, emulator, api, await FunctionsHost.StartAsync(AppDirectory, settings));
        }
        catch
        {
            await api.DisposeAsync();
            await emulator.DisposeAsync();
            throw;
        }
    }

    public async Task<HttpAnswer> GetAsync(string pathAndQuery)
    {
        using var response = await Host.GetAsync(pathAndQuery);
        return new HttpAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The app's own RpcLogs with an event id.</summary>
    public IEnumerable<RpcLog> WithEventId(int id) =>
        Host.Logs.Where(l => l.EventId == id.ToString(System.Globalization.CultureInfo.InvariantCulture) && l.Category.StartsWith("FunctionApp.", StringComparison.Ordinal));

    /// <summary>Lines of the worker's RpcLogs, stdout or stderr that hold a token or the identity header.</summary>
    public IReadOnlyList<string> Leaks()
    {
        var sink = new CapturedLogs(keepLines: false, Emulator.IdentityHeader);
        return [.. Host.Transcript.Split(Environment.NewLine).Where(sink.HasSecret)];
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Api.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
