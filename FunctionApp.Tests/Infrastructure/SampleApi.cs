using IdentityEmulator;
using IdentityEmulator.Faults;
using IdentityEmulator.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ProtectedApi;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The sample protected API on a free loopback port, validating against the emulator, with a test-only fault stage
/// at the front of its pipeline that applies the emulator's own fault rules (statuses with Retry-After, dropped
/// connections, malformed JSON, latency), so the custom API can be faulted exactly like the emulated endpoints.
/// </summary>
internal sealed class SampleApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SampleApi(WebApplication app, Uri baseAddress, ApiFaults faults)
    {
        _app = app;
        BaseAddress = baseAddress;
        Faults = faults;
    }

    public Uri BaseAddress { get; }

    public ApiFaults Faults { get; }

    /// <summary>Applies a fault rule to the API's next requests (the rule's Endpoint is ignored).</summary>
    public void Inject(FaultRule rule) => Faults.Injector.Add(rule with { Endpoint = ApiFaults.Endpoint });

    /// <summary>Scripts the answers to the API's next requests, in order.</summary>
    public void Inject(params FaultStep[] steps) => Inject(new FaultRule { Endpoint = ApiFaults.Endpoint, Sequence = steps });

    public static async Task<SampleApi> StartAsync(EmulatorApp emulator, TestTenant tenant)
    {
        var faults = new ApiFaults();
        var app = ProtectedApiApplication.Create(
            [
                "--urls", "http://127.0.0.1:0",
                $"--EntraApi:TenantId={tenant.TenantId}",
                $"--EntraApi:ClientId={tenant.ApiAppId}",
                $"--EntraApi:AppIdUri={tenant.ApiAppIdUri}",
                $"--EntraApi:MetadataAddress={emulator.OpenIdConfigurationV2}",
                "--Logging:LogLevel:Default=Warning",
            ],
            builder => builder.Services.AddSingleton<IStartupFilter>(new FaultStage(faults)));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SampleApi(app, new Uri(address.TrimEnd('/') + "/"), faults);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class FaultStage(ApiFaults faults) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var step = await faults.Gate.EnterAsync(context, ApiFaults.Endpoint, context.Request.Path.Value);
                if (EndpointGate.Render(step, static (status, detail) => Results.Problem(detail, statusCode: status)) is { } fault)
                {
                    await fault.ExecuteAsync(context);
                    return;
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>The API's fault rules and how many requests it saw per path, faulted ones included.</summary>
internal sealed class ApiFaults
{
    public const string Endpoint = "customApi";

    private readonly RequestCounters _counters = new();

    public ApiFaults() => Gate = new EndpointGate(Injector, _counters);

    public FaultInjector Injector { get; } = new();

    public EndpointGate Gate { get; }

    public long Requests(string path) => _counters.Get(Endpoint, path);
}
