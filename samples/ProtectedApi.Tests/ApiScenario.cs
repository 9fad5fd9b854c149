using IdentityEmulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace ProtectedApi.Tests;

/// <summary>The identity emulator and the sample API, both real Kestrel servers on free loopback ports.</summary>
internal sealed class ApiScenario : IAsyncDisposable
{
    private readonly WebApplication _api;

    private ApiScenario(TestTenant tenant, EmulatorApp emulator, WebApplication api, Uri apiAddress)
    {
        Tenant = tenant;
        Emulator = emulator;
        _api = api;
        Client = new HttpClient { BaseAddress = apiAddress };
    }

    public TestTenant Tenant { get; }

    public EmulatorApp Emulator { get; }

    public HttpClient Client { get; }

    public static async Task<ApiScenario> StartAsync(TestTenant? tenant = null, string metadataVersion = "v2.0")
    {
        tenant ??= new TestTenant();
        var emulator = await tenant.StartAsync();
        var metadata = metadataVersion == "v2.0" ? emulator.OpenIdConfigurationV2 : emulator.OpenIdConfigurationV1;
        var api = ProtectedApiApplication.Create(
        [
            "--urls", "http://127.0.0.1:0",
            $"--EntraApi:TenantId={tenant.TenantId}",
            $"--EntraApi:ClientId={tenant.ApiAppId}",
            $"--EntraApi:AppIdUri={tenant.ApiAppIdUri}",
            $"--EntraApi:MetadataAddress={metadata}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await api.StartAsync();
        var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiScenario(tenant, emulator, api, new Uri(address));
    }

    /// <summary>A real token from the emulator's managed-identity endpoint for the tenant's system-assigned identity.</summary>
    public Task<string> IssuedTokenAsync(string? resource = null) => EmulatorHttp.TokenAsync(Emulator, resource ?? Tenant.ApiAppIdUri);

    /// <summary>Claims of a correct app-only v2.0 token for the API; tests change one thing at a time.</summary>
    public Dictionary<string, object> ValidClaims(params string[] roles)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["aud"] = Tenant.ApiAppId.ToString(),
            ["iss"] = $"https://login.microsoftonline.com/{Tenant.TenantId}/v2.0",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-5).ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["azp"] = Tenant.SystemClientId.ToString(),
            ["idtyp"] = "app",
            ["oid"] = Tenant.SystemObjectId.ToString(),
            ["sub"] = Tenant.SystemObjectId.ToString(),
            ["tid"] = Tenant.TenantId.ToString(),
            ["ver"] = "2.0",
        };
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        return claims;
    }

    /// <summary>Signs claims with the tenant's real key (optionally under another kid).</summary>
    public string Sign(IDictionary<string, object> claims, string? keyId = null) => Emulator.State.Issuer.Sign(claims, keyId);

    public string KeyId => Emulator.State.Keys.Key.KeyId;

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        if (method == HttpMethod.Post)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(new { id = 9, customer = "Tailspin", quantity = 2 });
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _api.StopAsync();
        await _api.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
