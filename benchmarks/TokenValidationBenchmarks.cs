using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using IdentityEmulator;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ProtectedApi;
using TestSupport;

namespace Benchmarks;

/// <summary>
/// The sample API's token validation, with the validation parameters its own registration configures and warm
/// metadata from the emulator, against the cryptographic floor: an RS256 signature check of the same token bytes.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks : IDisposable
{
    private EmulatorApp _emulator = null!;
    private WebApplication _api = null!;
    private TokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;
    private RSA _publicKey = null!;
    private byte[] _signedBytes = [];
    private byte[] _signature = [];
    private string _token = "";
    private JsonWebTokenHandler _defaultHandler = null!;
    private TokenValidationParameters _defaultParameters = null!;
    private HttpClient _http = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The token is the system-assigned identity's, with the role GET /api/orders requires.
        var tenant = new TestTenant();
        tenant.AssignApiToSystem(tenant.ApiReadRoleId);
        var (tenantId, apiAppId) = (tenant.TenantId, tenant.ApiAppId);
        _emulator = tenant.StartAsync().GetAwaiter().GetResult();
        _api = ProtectedApiApplication.Create(
        [
            "--urls", "http://127.0.0.1:0",
            $"--EntraApi:TenantId={tenantId}",
            $"--EntraApi:ClientId={apiAppId}",
            $"--EntraApi:MetadataAddress={_emulator.OpenIdConfigurationV2}",
            "--Logging:LogLevel:Default=Warning",
        ]);

        // What JwtBearer does per request: its configured parameters plus the signing keys of the (cached) metadata.
        var jwt = _api.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var configuration = jwt.ConfigurationManager!.GetConfigurationAsync(CancellationToken.None).GetAwaiter().GetResult();
        _parameters = jwt.TokenValidationParameters.Clone();
        _parameters.IssuerSigningKeys = configuration.SigningKeys;
        _handler = jwt.TokenHandlers.Single();

        _token = _emulator.State.Issuer.Issue(_emulator.State.Tenant.ManagedIdentities[0], _emulator.State.Tenant.ResolveResource($"api://{apiAppId}")!).AccessToken;
        var lastDot = _token.LastIndexOf('.');
        _signedBytes = Encoding.ASCII.GetBytes(_token[..lastDot]);
        _signature = Base64UrlEncoder.DecodeBytes(_token[(lastDot + 1)..]);
        _publicKey = RSA.Create(_emulator.State.Keys.Key.Rsa.ExportParameters(includePrivateParameters: false));

        // A JsonWebTokenHandler with its defaults and only issuer, audience and keys set: what the API's own settings
        // (two issuers, two audiences, RS256 only, no key fallback) are measured against.
        _defaultHandler = new JsonWebTokenHandler();
        _defaultParameters = new TokenValidationParameters
        {
            ValidIssuer = $"https://login.microsoftonline.com/{tenantId}/v2.0",
            ValidAudience = apiAppId.ToString(),
            IssuerSigningKeys = configuration.SigningKeys,
        };

        _api.StartAsync().GetAwaiter().GetResult();
        _http = new HttpClient { BaseAddress = new Uri(_api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/") };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);

        var result = _handler.ValidateTokenAsync(_token, _parameters).GetAwaiter().GetResult();
        if (!result.IsValid || !RawSignature() || !DefaultHandlerValidation().GetAwaiter().GetResult() || ApiHttpPath().GetAwaiter().GetResult().Length == 0)
        {
            throw new InvalidOperationException("the benchmark token does not validate: " + result.Exception?.Message);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _http.Dispose();
        _api.StopAsync().GetAwaiter().GetResult();
        _api.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _publicKey.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "raw RS256 signature check")]
    public bool RawSignature() => _publicKey.VerifyData(_signedBytes, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    // The API's JsonWebTokenHandler with the API's validation parameters: what JwtBearer runs on every request.
    [Benchmark(Description = "sample API's token validation")]
    public async Task<bool> ApiValidation() => (await _handler.ValidateTokenAsync(_token, _parameters)).IsValid;

    [Benchmark(Description = "default JsonWebTokenHandler")]
    public async Task<bool> DefaultHandlerValidation() => (await _defaultHandler.ValidateTokenAsync(_token, _defaultParameters)).IsValid;

    // GET /api/orders over loopback: Kestrel, authentication, the role policy and the endpoint, with a valid token.
    [Benchmark(Description = "sample API, whole HTTP request")]
    public Task<string> ApiHttpPath() => _http.GetStringAsync("api/orders");
}
