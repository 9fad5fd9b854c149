using System.Collections.Concurrent;
using IdentityEmulator;
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
/// at the front of its pipeline (scripted statuses, a hang) so the app's resilience can be exercised.
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
                faults.Count(context.Request.Path);
                if (faults.HangMilliseconds > 0)
                {
                    await Task.Delay(faults.HangMilliseconds, context.RequestAborted);
                }

                if (faults.Statuses.TryDequeue(out var status))
                {
                    context.Response.StatusCode = status;
                    return;
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>What the API's fault stage does to the next requests, and how many it saw per path.</summary>
internal sealed class ApiFaults
{
    private readonly ConcurrentDictionary<string, int> _requests = new();

    public ConcurrentQueue<int> Statuses { get; } = new();

    public int HangMilliseconds { get; set; }

    public int Requests(string path) => _requests.GetValueOrDefault(path);

    public void Count(PathString path) => _requests.AddOrUpdate(path.Value ?? "", 1, static (_, n) => n + 1);
}
