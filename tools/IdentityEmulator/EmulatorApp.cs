using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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

    private EmulatorApp(
        WebApplication app,
        EmulatorState state,
        Uri baseAddress,
        Uri httpsBaseAddress,
        string certificateFile,
        bool ownsCertificateFile)
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

    /// <summary>
    /// The same endpoints over HTTPS, e.g. https://127.0.0.1:5443/; the authority host for Entra's token endpoint.
    /// </summary>
    public Uri HttpsBaseAddress { get; }

    /// <summary>The PEM file holding the HTTPS certificate, for SSL_CERT_FILE.</summary>
    public string HttpsCertificateFile { get; }

    public Guid TenantId => State.Tenant.TenantId;

    /// <summary>IDENTITY_ENDPOINT for the App Service / Functions protocol.</summary>
    public Uri IdentityEndpoint => new(BaseAddress, ManagedIdentityEndpoints.AppServicePath.TrimStart('/'));

    /// <summary>IDENTITY_HEADER: the secret the App Service protocol requires in X-IDENTITY-HEADER.</summary>
    public string IdentityHeader => State.IdentityHeader;

    /// <summary>
    /// The Microsoft Graph base URL, to pass to GraphServiceClient (https://graph.microsoft.com/v1.0 in Azure).
    /// </summary>
    public Uri GraphBaseUrl => new(BaseAddress, "v1.0");

    /// <summary>The v2.0 OpenID Connect metadata address of the tenant.</summary>
    public Uri OpenIdConfigurationV2 => new(BaseAddress, $"{TenantId}/v2.0/.well-known/openid-configuration");

    /// <summary>
    /// The v1.0 OpenID Connect metadata address of the tenant (issuer https://sts.windows.net/{tid}/).
    /// </summary>
    public Uri OpenIdConfigurationV1 => new(BaseAddress, $"{TenantId}/.well-known/openid-configuration");

    /// <summary>
    /// The environment variables that point Azure.Identity's managed-identity support at this emulator.
    /// </summary>
    public IReadOnlyDictionary<string, string> ManagedIdentityEnvironment => new Dictionary<string, string>
    {
        ["IDENTITY_ENDPOINT"] = IdentityEndpoint.ToString(),
        ["IDENTITY_HEADER"] = IdentityHeader,
    };

    /// <summary>
    /// What a service principal or workload identity (Azure.Identity's EnvironmentCredential,
    /// WorkloadIdentityCredential) needs besides its AZURE_CLIENT_* variables: the tenant, the emulator as authority
    /// host, and trust in its certificate.
    /// </summary>
    public IReadOnlyDictionary<string, string> EntraEnvironment => new Dictionary<string, string>
    {
        ["AZURE_TENANT_ID"] = TenantId.ToString(),
        ["AZURE_AUTHORITY_HOST"] = HttpsBaseAddress.ToString(),
        ["SSL_CERT_FILE"] = HttpsCertificateFile,
    };

    internal EmulatorState State { get; }

    public static async Task<EmulatorApp> StartAsync(
        EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        var address = ParseHost(options);
        var tenant = LoadTenant(options);
        ValidateOptions(options);

        // The two steps that can fail once the signing key exists (writing the certificate file, starting to listen)
        // release what was created before them.
        var keys = LoadKeys(options);
        var state = CreateState(options, tenant, keys);
        var certificate = CreateHttpsCertificate(options, keys);
        var listeners = new Listeners(address, options.Port, ChooseHttpsPort(options));

        var builder = CreateBuilder(options);
        ConfigureKestrel(builder, listeners, certificate.Certificate);
        builder.Services.AddSingleton(state);
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        MapEndpoints(app);
        await StartOrReleaseAsync(app, keys, certificate, listeners, cancellationToken);

        var bound = BoundAddresses(app);
        return new EmulatorApp(
            app,
            state,
            bound.First(a => a.Scheme == Uri.UriSchemeHttp),
            bound.First(a => a.Scheme == Uri.UriSchemeHttps),
            certificate.PemFile,
            certificate.OwnsPemFile);
    }

    /// <summary>
    /// How many requests an endpoint (managedIdentity, imds, graph, metadata, entra) received,
    /// optionally for one resource.
    /// </summary>
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

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await ReleaseAsync(_app, State.Keys, HttpsCertificateFile, _ownsCertificateFile);
    }

    private static IPAddress ParseHost(EmulatorOptions options)
    {
        var address = ParseAddress(options.Host);
        if (!IPAddress.IsLoopback(address) && !options.AllowRemote)
        {
            throw new EmulatorConfigurationException(
                $"host {address} is not a loopback address, and the emulator hands tokens to anyone who can reach it; "
                + "pass --allow-remote to bind it anyway");
        }

        return address;
    }

    private static IPAddress ParseAddress(string host)
    {
        if (host == "localhost")
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(host, out var parsed))
        {
            return parsed;
        }

        throw new EmulatorConfigurationException($"host '{host}' is not an IP address (use 127.0.0.1)");
    }

    private static TenantDirectory LoadTenant(EmulatorOptions options)
    {
        try
        {
            if (options.TenantJson is not null)
            {
                return TenantLoader.Parse(options.TenantJson);
            }

            var tenantFile = options.TenantFile ?? Path.Combine(AppContext.BaseDirectory, "tenant.sample.json");
            return TenantLoader.LoadFile(tenantFile);
        }
        catch (TenantFileException e)
        {
            throw new EmulatorConfigurationException(e.Message);
        }
    }

    // Checked before anything is created, so that a bad option needs no clean-up.
    private static void ValidateOptions(EmulatorOptions options)
    {
        foreach (var rule in options.Faults)
        {
            if (FaultInjector.Validate(rule) is { } error)
            {
                throw new EmulatorConfigurationException($"fault rule for '{rule.Endpoint}': {error}");
            }
        }

        if (options.GraphPageSize is < 1 or > ODataQuery.MaxTop)
        {
            throw new EmulatorConfigurationException(
                $"Graph page size {options.GraphPageSize} is not between 1 and {ODataQuery.MaxTop}");
        }

        if (options.TokenLifetime < TimeSpan.FromMinutes(1))
        {
            throw new EmulatorConfigurationException(
                $"token lifetime {options.TokenLifetime} is shorter than one minute");
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

    private static EmulatorState CreateState(EmulatorOptions options, TenantDirectory tenant, SigningKeys keys)
    {
        var issuer = new TokenIssuer(tenant, keys, TimeProvider.System, options.TokenLifetime);
        var platformTokens = new PlatformTokenCache(issuer, TimeProvider.System, options.PlatformTokenCache);
        var identityHeader = options.IdentityHeader ?? NewIdentityHeader();
        var state = new EmulatorState(tenant, keys, issuer, platformTokens, identityHeader)
        {
            ReplicationDelay = options.ReplicationDelay,
            GraphPageSize = options.GraphPageSize,
        };
        foreach (var rule in options.Faults)
        {
            state.Faults.Add(rule);
        }

        return state;
    }

    private static string NewIdentityHeader() =>
        Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    // A new certificate each run. Its PEM goes where the options say, or to a temporary file the emulator deletes
    // when it stops. When the file cannot be written, the signing key (the only thing created before) is released.
    private static ServedCertificate CreateHttpsCertificate(EmulatorOptions options, SigningKeys keys)
    {
        var certificate = HttpsCertificate.Create();
        var ownsPemFile = options.HttpsCertificateFile is null;
        var pemFile = options.HttpsCertificateFile
            ?? Path.Combine(Path.GetTempPath(), $"identity-emulator-{Guid.NewGuid():N}.pem");
        try
        {
            HttpsCertificate.WritePem(certificate, pemFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            keys.Dispose();
            throw new EmulatorConfigurationException($"HTTPS certificate file: {e.Message}");
        }

        return new ServedCertificate(certificate, pemFile, ownsPemFile);
    }

    // Port 0 (a free port, as tests ask) means a free HTTPS port too, rather than the fixed default one.
    private static int ChooseHttpsPort(EmulatorOptions options)
    {
        if (options.HttpsPort is { } httpsPort)
        {
            return httpsPort;
        }

        return options.Port == 0 ? 0 : EmulatorOptions.DefaultHttpsPort;
    }

    private static WebApplicationBuilder CreateBuilder(EmulatorOptions options)
    {
        var applicationName = typeof(EmulatorApp).Assembly.GetName().Name;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = applicationName });
        builder.Logging.ClearProviders();
        if (options.ConsoleLogging)
        {
            builder.Logging
                .AddSimpleConsole(o => o.SingleLine = true)
                .SetMinimumLevel(LogLevel.Warning);
        }

        return builder;
    }

    private static void ConfigureKestrel(
        WebApplicationBuilder builder, Listeners listeners, X509Certificate2 certificate)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(listeners.Address, listeners.HttpPort);
            kestrel.Listen(listeners.Address, listeners.HttpsPort, listen => listen.UseHttps(certificate));
        });
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapManagedIdentityEndpoints();
        app.MapMetadataEndpoints();
        app.MapEntraTokenEndpoint();
        app.MapGraphEndpoints();
        app.MapAdminEndpoints();
    }

    // A port in use is the one start-up failure a user causes; everything created so far is released before saying so.
    private static async Task StartOrReleaseAsync(
        WebApplication app,
        SigningKeys keys,
        ServedCertificate certificate,
        Listeners listeners,
        CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await ReleaseAsync(app, keys, certificate.PemFile, certificate.OwnsPemFile);
            var http = $"{listeners.Address}:{listeners.HttpPort}";
            var https = $"{listeners.Address}:{listeners.HttpsPort}";
            throw new EmulatorConfigurationException(
                $"cannot listen on {http} and {https}: {e.Message} (use --port 0 and --https-port 0 for free ports)");
        }
    }

    // What a failed start and DisposeAsync both give back: the app, the signing key, and a certificate file the
    // emulator chose itself (one the options named is the caller's to keep).
    private static async Task ReleaseAsync(
        WebApplication app, SigningKeys keys, string certificateFile, bool ownsCertificateFile)
    {
        await app.DisposeAsync();
        keys.Dispose();
        if (ownsCertificateFile)
        {
            File.Delete(certificateFile);
        }
    }

    // Kestrel reports the addresses it bound (with the real port when 0 was asked), without a trailing slash.
    private static List<Uri> BoundAddresses(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return [.. addresses.Select(a => new Uri(a.EndsWith('/') ? a : a + "/"))];
    }

    private sealed record Listeners(IPAddress Address, int HttpPort, int HttpsPort);

    private sealed record ServedCertificate(X509Certificate2 Certificate, string PemFile, bool OwnsPemFile);
}
