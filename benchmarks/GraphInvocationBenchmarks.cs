using BenchmarkDotNet.Attributes;
using FunctionApp.Functions;
using FunctionApp.Hosting;
using FunctionApp.Identity;
using IdentityEmulator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Benchmarks;

/// <summary>
/// A whole GetGraphUsers invocation (function from the container, real HttpContext, the IResult executed) against the
/// emulator on loopback, on the system-assigned managed identity: with the app's CachingTokenCredential in front of
/// ManagedIdentityCredential, and with the credential alone (Azure.Identity's own token cache).
/// </summary>
[MemoryDiagnoser]
public class GraphInvocationBenchmarks : IDisposable
{
    private EmulatorApp _emulator = null!;
    private IHost _withCache = null!;
    private IHost _credentialOnly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = EmulatorApp.StartAsync(new EmulatorOptions { Port = 0, TenantJson = Tenant.Json(out _, out _) }).GetAwaiter().GetResult();
        foreach (var (name, value) in _emulator.ManagedIdentityEnvironment)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        _withCache = Start(replaceCredential: false);
        _credentialOnly = Start(replaceCredential: true);
        if (WithCachingTokenCredential().GetAwaiter().GetResult() != 200 || AzureIdentityCacheAlone().GetAwaiter().GetResult() != 200)
        {
            throw new InvalidOperationException("GetGraphUsers did not answer 200 against the emulator");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _withCache?.Dispose();
        _credentialOnly?.Dispose();
        _emulator?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "GetGraphUsers, Azure.Identity's cache alone")]
    public Task<int> AzureIdentityCacheAlone() => InvokeAsync(_credentialOnly);

    [Benchmark(Description = "GetGraphUsers, CachingTokenCredential in front")]
    public Task<int> WithCachingTokenCredential() => InvokeAsync(_withCache);

    private IHost Start(bool replaceCredential)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:Credential"] = "ManagedIdentity",
            ["Graph:BaseUrl"] = _emulator.GraphBaseUrl.ToString(),
            ["ProbeSchedule"] = "0 */5 * * * *",
        });
        builder.Logging.ClearProviders();
        builder.AddFunctionAppServices();
        if (replaceCredential)
        {
            builder.Services.AddSingleton(services => IdentityServiceExtensions.CreateCredential(services.GetRequiredService<IOptions<IdentityOptions>>().Value));
        }

        var host = builder.Build();
        host.Start();
        return host;
    }

    private static async Task<int> InvokeAsync(IHost host)
    {
        var context = new DefaultHttpContext { RequestServices = host.Services };
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = new QueryString("?top=3");
        context.Response.Body = Stream.Null;
        var result = await ActivatorUtilities.CreateInstance<GetGraphUsers>(host.Services).Run(context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);
        return context.Response.StatusCode;
    }
}
