using Azure.Core;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using FunctionApp.CustomApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Benchmarks;

/// <summary>
/// The custom API's HttpClient as the app registers it (its resilience pipeline, bearer handler on the cached
/// credential) against a plain HttpClient with a fixed Authorization header, both to the same loopback route. The
/// in-memory pair ends both clients in a handler that answers without a network: what is left is the pipeline's own
/// cost, measured without the loopback round trip's 10-20% swings.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OutgoingCallBenchmarks : IDisposable
{
    private static readonly byte[] OrdersJson = """[{"id":1,"customer":"Contoso","quantity":3}]"""u8.ToArray();

    private WebApplication _server = null!;
    private IHost _app = null!;
    private HttpClient _fixedHeader = null!;
    private HttpClient _pipeline = null!;
    private IHost _inMemoryApp = null!;
    private HttpClient _inMemoryFixedHeader = null!;
    private HttpClient _inMemoryPipeline = null!;

    /// <summary>The loopback route's base address, for clients built outside this class (Paired/PipelineLayers).</summary>
    internal Uri Address { get; private set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/api/orders", () => Results.Bytes(OrdersJson, "application/json"));
        _server.StartAsync().GetAwaiter().GetResult();
        var address = Address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

        _fixedHeader = FixedHeader(new HttpClientHandler(), address);
        _app = App(address, inMemory: false);
        _pipeline = _app.Services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(CustomApiClient));

        _inMemoryFixedHeader = FixedHeader(new InMemoryApi(), address);
        _inMemoryApp = App(address, inMemory: true);
        _inMemoryPipeline = _inMemoryApp.Services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(CustomApiClient));
    }

    private static HttpClient FixedHeader(HttpMessageHandler handler, Uri address)
    {
        var client = new HttpClient(handler) { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "header.payload.signature");
        return client;
    }

    private static IHost App(Uri address, bool inMemory)
    {
        var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CustomApi:BaseUrl"] = address.ToString(),
            ["CustomApi:Scope"] = "api://orders/.default",
        });
        host.Logging.ClearProviders();
        host.Services.AddSingleton<TokenCredential>(PrebuiltCredential.Cached(PrebuiltCredential.DayLongToken()));
        host.AddCustomApiClient();
        if (inMemory)
        {
            host.Services.AddHttpClient(nameof(CustomApiClient)).ConfigurePrimaryHttpMessageHandler(() => new InMemoryApi());
        }

        return host.Build();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _fixedHeader?.Dispose();
        _pipeline?.Dispose();
        _app?.Dispose();
        _inMemoryFixedHeader?.Dispose();
        _inMemoryPipeline?.Dispose();
        _inMemoryApp?.Dispose();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "HttpClient, fixed Authorization header")]
    [BenchmarkCategory("loopback")]
    public Task<string> FixedHeader() => _fixedHeader.GetStringAsync("api/orders");

    [Benchmark(Description = "bearer handler + resilience pipeline")]
    [BenchmarkCategory("loopback")]
    public Task<string> Pipeline() => _pipeline.GetStringAsync("api/orders");

    [Benchmark(Baseline = true, Description = "HttpClient, fixed Authorization header")]
    [BenchmarkCategory("in-memory")]
    public Task<string> InMemoryFixedHeader() => _inMemoryFixedHeader.GetStringAsync("api/orders");

    [Benchmark(Description = "bearer handler + resilience pipeline")]
    [BenchmarkCategory("in-memory")]
    public Task<string> InMemoryPipeline() => _inMemoryPipeline.GetStringAsync("api/orders");

    /// <summary>The loopback route's answer, from memory: a new response per call, as a server would send.</summary>
    private sealed class InMemoryApi : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(OrdersJson), RequestMessage = request });
    }
}
