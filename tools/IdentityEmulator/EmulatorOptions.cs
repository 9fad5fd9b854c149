using IdentityEmulator.Faults;

namespace IdentityEmulator;

/// <summary>How to start an emulator: its tenant, its address and the lifetime of the tokens it issues.</summary>
public sealed record EmulatorOptions
{
    public const int DefaultPort = 5180;

    public const int DefaultHttpsPort = 5443;

    /// <summary>Path of the tenant file. Ignored when <see cref="TenantJson"/> is set.</summary>
    public string? TenantFile { get; init; }

    /// <summary>The tenant file's content, for tests that build a tenant in code.</summary>
    public string? TenantJson { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port; <see cref="EmulatorApp.BaseAddress"/> tells which.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>
    /// The HTTPS port, where Entra's token endpoint is useful (Azure.Identity requires an https authority host); null
    /// means <see cref="DefaultHttpsPort"/>, or a free port when <see cref="Port"/> is 0.
    /// </summary>
    public int? HttpsPort { get; init; }

    /// <summary>
    /// Where to write the HTTPS certificate as PEM, for clients to trust (SSL_CERT_FILE); a temporary file when null.
    /// </summary>
    public string? HttpsCertificateFile { get; init; }

    /// <summary>
    /// Binding to a non-loopback address hands tokens to anyone who can reach it, so it must be asked for.
    /// </summary>
    public bool AllowRemote { get; init; }

    /// <summary>A PEM RSA private key, created if missing, so tokens survive an emulator restart.</summary>
    public string? KeyFile { get; init; }

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Serve a managed identity the token it was issued for a resource until that token is near expiry, as the platform
    /// does (<see cref="Tokens.PlatformTokenCache"/>); off mints a token per request.
    /// </summary>
    public bool PlatformTokenCache { get; init; } = true;

    /// <summary>
    /// How long a new app-role assignment stays out of Graph's lists (not out of tokens or of the duplicate check),
    /// as a directory write does while Entra replicates it: a script that checks before it writes can miss it.
    /// </summary>
    public TimeSpan ReplicationDelay { get; init; }

    /// <summary>
    /// The most items one Graph page holds whatever $top asks, as Graph's server-driven paging may return fewer
    /// than asked with an @odata.nextLink: a client that ignores the link misses the rest.
    /// 999 (Graph's largest $top) by default.
    /// </summary>
    public int GraphPageSize { get; init; } = 999;

    /// <summary>The IDENTITY_HEADER secret; random per run when not set.</summary>
    public string? IdentityHeader { get; init; }

    public IReadOnlyList<FaultRule> Faults { get; init; } = [];

    /// <summary>
    /// Write ASP.NET Core's warnings and errors to the console (the command line does; tests do not).
    /// </summary>
    public bool ConsoleLogging { get; init; }
}
