using System.Net;
using System.Security.Cryptography;
using IdentityEmulator.Endpoints;
using IdentityEmulator.Faults;
using IdentityEmulator.Graph;
using IdentityEmulator.Tenant;
using IdentityEmulator.Tokens;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IdentityEmulator;

/// <summary>
/// A running identity emulator: the managed-identity endpoints, Entra metadata and keys, and a Microsoft Graph
/// subset, on one loopback port. Start it from tests with <see cref="StartAsync"/>; the command line uses the same.
/// </summary>
public sealed class EmulatorApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsCertificateFile;

    private EmulatorApp(WebApplication app, EmulatorState state, Uri baseAddress, Uri httpsBaseAddress, string certificateFile, bool ownsCertificateFile)
    {
        _app = app;
        State = state;
        BaseAddress = baseAddress;
        HttpsBaseAddress = httpsBaseAddress;
        HttpsCertificateFile = certificateFile;
        _ownsCertificateFile = ownsCertificateFile;
    }

    /// <summary>The emulator's root, e.g. http://127.0.0.1:5180/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The same endpoints over HTTPS, e.g. https://127.0.0.1:5443/; the authority host for Entra's token endpoint.</summary>
    public Uri HttpsBaseAddress { get; }

    /// <summary>The PEM file holding the HTTPS certificate, for SSL_CERT_FILE.</summary>
    public string HttpsCertificateFile { get; }

    public Guid TenantId => State.Tenant.TenantId;

    /// <summary>IDENTITY_ENDPOINT for the App Service / Functions protocol.</summary>
    public Uri IdentityEndpoint => new(BaseAddress, ManagedIdentityEndpoints.AppServicePath.TrimStart('/'));

    /// <summary>IDENTITY_HEADER: the secret the App Service protocol requires in X-IDENTITY-HEADER.</summary>
    public string IdentityHeader => State.IdentityHeader;

    /// <summary>The Microsoft Graph base URL, to pass to GraphServiceClient (https://graph.microsoft.com/v1.0 in Azure).</summary>
    public Uri GraphBaseUrl => new(BaseAddress, "v1.0");

    /// <summary>The v2.0 OpenID Connect metadata address of the tenant.</summary>
    public Uri OpenIdConfigurationV2 => new(BaseAddress, $"{TenantId}/v2.0/.well-known/openid-configuration");

    /// <summary>The v1.0 OpenID Connect metadata address of the tenant (issuer https://sts.windows.net/{tid}/).</summary>
    public Uri OpenIdConfigurationV1 => new(BaseAddress, $"{TenantId}/.well-known/openid-configuration");

    /// <summary>The environment variables that point Azure.Identity's managed-identity support at this emulator.</summary>
    public IReadOnlyDictionary<string, string> ManagedIdentityEnvironment => new Dictionary<string, string>
    {
        ["IDENTITY_ENDPOINT"] = IdentityEndpoint.ToString(),
        ["IDENTITY_HEADER"] = IdentityHeader,
    };

    /// <summary>
    /// What a service principal or workload identity (Azure.Identity's EnvironmentCredential, WorkloadIdentityCredential)
    /// needs besides its AZURE_CLIENT_* variables: the tenant, the emulator as authority host, and trust in its certificate.
    /// </summary>
    public IReadOnlyDictionary<string, string> EntraEnvironment => new Dictionary<string, string>
    {
        ["AZURE_TENANT_ID"] = TenantId.ToString(),
        ["AZURE_AUTHORITY_HOST"] = HttpsBaseAddress.ToString(),
        ["SSL_CERT_FILE"] = HttpsCertificateFile,
    };

    internal EmulatorState State { get; }

    public static async Task<EmulatorApp> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        var address = ParseHost(options);
        var tenant = LoadTenant(options);
        foreach (var rule in options.Faults)
        {
            if (FaultInjector.Validate(rule) is { } error)
            {
                throw new EmulatorConfigurationException($"fault rule for '{rule.Endpoint}': {error}");
            }
        }

        if (options.GraphPageSize is < 1 or > ODataQuery.MaxTop)
        {
            throw new EmulatorConfigurationException($"Graph page size {options.GraphPageSize} is not between 1 and {ODataQuery.MaxTop}");
        }

        if (options.TokenLifetime < TimeSpan.FromMinutes(1))
        {
            throw new EmulatorConfigurationException($"token lifetime {options.TokenLifetime} is shorter than one minute");
        }

        var keys = LoadKeys(options);
        var issuer = new TokenIssuer(tenant, keys, TimeProvider.System, options.TokenLifetime);
        var state = new EmulatorState(
            tenant, keys, issuer, new PlatformTokenCache(issuer, TimeProvider.System, options.PlatformTokenCache),
            options.IdentityHeader ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant())
        {
            ReplicationDelay = options.ReplicationDelay,
            GraphPageSize = options.GraphPageSize,
        };
        foreach (var rule in options.Faults)
        {
            state.Faults.Add(rule);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(EmulatorApp).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        if (options.ConsoleLogging)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        }

        var certificate = HttpsCertificate.Create();
        var certificateFile = options.HttpsCertificateFile ?? Path.Combine(Path.GetTempPath(), $"identity-emulator-{Guid.NewGuid():N}.pem");
        try
        {
            HttpsCertificate.WritePem(certificate, certificateFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            keys.Dispose();
            throw new EmulatorConfigurationException($"HTTPS certificate file: {e.Message}");
        }

        var httpsPort = options.HttpsPort ?? (options.Port == 0 ? 0 : EmulatorOptions.DefaultHttpsPort);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, options.Port);
            kestrel.Listen(address, httpsPort, listen => listen.UseHttps(certificate));
        });
        builder.Services.AddSingleton(state);
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        app.MapManagedIdentityEndpoints();
        app.MapMetadataEndpoints();
        app.MapEntraTokenEndpoint();
        app.MapGraphEndpoints();
        app.MapAdminEndpoints();

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            keys.Dispose();
            if (options.HttpsCertificateFile is null)
            {
                File.Delete(certificateFile);
            }

            throw new EmulatorConfigurationException(
                $"cannot listen on {address}:{options.Port} and {address}:{httpsPort}: {e.Message} (use --port 0 and --https-port 0 for free ports)");
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a.EndsWith('/') ? a : a + "/")).ToList();
        return new EmulatorApp(
            app, state, bound.First(a => a.Scheme == Uri.UriSchemeHttp), bound.First(a => a.Scheme == Uri.UriSchemeHttps),
            certificateFile, ownsCertificateFile: options.HttpsCertificateFile is null);
    }

    /// <summary>How many requests an endpoint (managedIdentity, imds, graph, metadata, entra) received, optionally for one resource.</summary>
    public long RequestCount(string endpoint, string? resource = null) => State.Counters.Get(endpoint, resource);

    public IReadOnlyList<RequestCount> RequestCounts() => State.Counters.Snapshot();

    public void ResetRequestCounts() => State.Counters.Reset();

    public void AddFault(FaultRule rule)
    {
        if (FaultInjector.Validate(rule) is { } error)
        {
            throw new ArgumentException(error, nameof(rule));
        }

        State.Faults.Add(rule);
    }

    public void ClearFaults() => State.Faults.Clear();

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        State.Keys.Dispose();
        if (_ownsCertificateFile)
        {
            File.Delete(HttpsCertificateFile);
        }
    }

    private static IPAddress ParseHost(EmulatorOptions options)
    {
        var address = options.Host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(options.Host, out var parsed) ? parsed
            : throw new EmulatorConfigurationException($"host '{options.Host}' is not an IP address (use 127.0.0.1)");
        if (!IPAddress.IsLoopback(address) && !options.AllowRemote)
        {
            throw new EmulatorConfigurationException(
                $"host {address} is not a loopback address, and the emulator hands tokens to anyone who can reach it; pass --allow-remote to bind it anyway");
        }

        return address;
    }

    private static TenantDirectory LoadTenant(EmulatorOptions options)
    {
        try
        {
            return options.TenantJson is not null ? TenantLoader.Parse(options.TenantJson)
                : TenantLoader.LoadFile(options.TenantFile ?? Path.Combine(AppContext.BaseDirectory, "tenant.sample.json"));
        }
        catch (TenantFileException e)
        {
            throw new EmulatorConfigurationException(e.Message);
        }
    }

    private static SigningKeys LoadKeys(EmulatorOptions options)
    {
        try
        {
            return options.KeyFile is null ? SigningKeys.Generate() : SigningKeys.FromFile(options.KeyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new EmulatorConfigurationException($"key file: {e.Message}");
        }
    }
}
