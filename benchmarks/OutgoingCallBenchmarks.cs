using Azure.Core;
using BenchmarkDotNet.Attributes;
using FunctionApp.CustomApi;
using FunctionApp.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Benchmarks;

/// <summary>
/// The custom API's HttpClient as the app registers it (its resilience pipeline, bearer handler on the cached
/// credential) against a plain HttpClient with a fixed Authorization header, both to the same loopback route.
/// </summary>
[MemoryDiagnoser]
public class OutgoingCallBenchmarks : IDisposable
{
    private WebApplication _server = null!;
    private IHost _app = null!;
    private HttpClient _fixedHeader = null!;
    private HttpClient _pipeline = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/api/orders", () => Results.Text("""[{"id":1,"customer":"Contoso","quantity":3}]""", "application/json"));
        _server.StartAsync().GetAwaiter().GetResult();
        var address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

        _fixedHeader = new HttpClient { BaseAddress = address };
        _fixedHeader.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "header.payload.signature");

        var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CustomApi:BaseUrl"] = address.ToString(),
            ["CustomApi:Scope"] = "api://orders/.default",
        });
        host.Logging.ClearProviders();
        host.Services.AddSingleton<TokenCredential>(new CachingTokenCredential(new PrebuiltCredential(PrebuiltCredential.DayLongToken()), TimeProvider.System, NullLogger<CachingTokenCredential>.Instance, TimeSpan.FromMinutes(5)));
        host.AddCustomApiClient();
        _app = host.Build();
        _pipeline = _app.Services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(CustomApiClient));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _fixedHeader?.Dispose();
        _pipeline?.Dispose();
        _app?.Dispose();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "HttpClient, fixed Authorization header")]
    public Task<string> FixedHeader() => _fixedHeader.GetStringAsync("api/orders");

    [Benchmark(Description = "bearer handler + resilience pipeline")]
    public Task<string> Pipeline() => _pipeline.GetStringAsync("api/orders");
}
