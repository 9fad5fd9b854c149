using IdentityEmulator;
using IdentityEmulator.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ProtectedApi;

namespace TestSupport;

/// <summary>
/// The sample protected API on a free loopback port, validating against the emulator, with a test-only fault stage
/// at the front of its pipeline that applies the emulator's own fault rules (<see cref="FaultStage"/>).
/// </summary>
public sealed class SampleApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SampleApi(WebApplication app, Uri baseAddress, FaultStage faults)
    {
        _app = app;
        BaseAddress = baseAddress;
        Faults = faults;
    }

    public Uri BaseAddress { get; }

    public FaultStage Faults { get; }

    public static async Task<SampleApi> StartAsync(EmulatorApp emulator, TestTenant tenant)
    {
        var faults = new FaultStage();
        var app = ProtectedApiApplication.Create(
            [
                "--urls", "http://127.0.0.1:0",
                $"--EntraApi:TenantId={tenant.TenantId}",
                $"--EntraApi:ClientId={tenant.ApiAppId}",
                $"--EntraApi:AppIdUri={tenant.ApiAppIdUri}",
                $"--EntraApi:MetadataAddress={emulator.OpenIdConfigurationV2}",
                "--Logging:LogLevel:Default=Warning",
            ],
            builder => builder.Services.AddSingleton<IStartupFilter>(faults));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SampleApi(app, new Uri(address.TrimEnd('/') + "/"), faults);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
