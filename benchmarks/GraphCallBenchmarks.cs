using System.Net.Http.Headers;
using Azure.Core;
using BenchmarkDotNet.Attributes;
using FunctionApp.Graph;
using IdentityEmulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;

namespace Benchmarks;

/// <summary>
/// The app's GraphServiceClient (as AddGraph registers it, on the cached credential) listing users, against a raw
/// HttpClient GET of the same Graph route with the same token, both served by the emulator's Graph on loopback.
/// </summary>
[MemoryDiagnoser]
public class GraphCallBenchmarks : IDisposable
{
    private const string Route = "users?$top=3&$select=id,displayName";

    private EmulatorApp _emulator = null!;
    private IHost _app = null!;
    private GraphServiceClient _graph = null!;
    private HttpClient _raw = null!;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = EmulatorApp.StartAsync(new EmulatorOptions { Port = 0, TenantJson = Tenant.Json(out _, out _) }).GetAwaiter().GetResult();
        var state = _emulator.State;
        var issued = state.Issuer.Issue(state.Tenant.ManagedIdentities[0], state.Tenant.ResolveResource("https://graph.microsoft.com")!);
        var token = new AccessToken(issued.AccessToken, DateTimeOffset.UtcNow.AddHours(24), DateTimeOffset.UtcNow.AddHours(12));

        var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        host.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Graph:BaseUrl"] = _emulator.GraphBaseUrl.ToString() });
        host.Logging.ClearProviders();
        host.Services.AddSingleton<TokenCredential>(PrebuiltCredential.Cached(token));
        host.AddGraph();
        _app = host.Build();
        _graph = _app.Services.GetRequiredService<GraphServiceClient>();

        _raw = new HttpClient { BaseAddress = new Uri(_emulator.GraphBaseUrl + "/") };
        _raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);

        if (RawGet().GetAwaiter().GetResult() != 3 || GraphSdk().GetAwaiter().GetResult() != 3)
        {
            throw new InvalidOperationException("the emulator's Graph did not return the benchmark tenant's three users");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _raw?.Dispose();
        _app?.Dispose();
        _emulator?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "HttpClient GET, fixed Authorization header")]
    public async Task<int> RawGet()
    {
        // Read the body like the SDK does, so both sides pay for the same bytes; count users to keep it honest.
        var body = await _raw.GetStringAsync(Route);
        return body.Split("\"displayName\"").Length - 1;
    }

    [Benchmark(Description = "Graph SDK Users.GetAsync")]
    public async Task<int> GraphSdk()
    {
        var page = await _graph.Users.GetAsync(request =>
        {
            request.QueryParameters.Top = 3;
            request.QueryParameters.Select = ["id", "displayName"];
        });
        return page!.Value!.Count;
    }
}
