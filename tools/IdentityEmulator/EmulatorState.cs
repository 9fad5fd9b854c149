using IdentityEmulator.Faults;
using IdentityEmulator.Graph;
using IdentityEmulator.Tenant;
using IdentityEmulator.Tokens;

namespace IdentityEmulator;

/// <summary>Everything the endpoints share for one emulator instance; registered as a singleton.</summary>
internal sealed class EmulatorState
{
    public EmulatorState(
        TenantDirectory tenant,
        SigningKeys keys,
        TokenIssuer issuer,
        PlatformTokenCache platformTokens,
        string identityHeader)
    {
        Tenant = tenant;
        Keys = keys;
        Issuer = issuer;
        PlatformTokens = platformTokens;
        IdentityHeader = identityHeader;
        Gate = new EndpointGate(Faults, Counters);
        GraphAuthorization = new GraphAuthorization(tenant, keys);
    }

    public TenantDirectory Tenant { get; }

    public SigningKeys Keys { get; }

    public TokenIssuer Issuer { get; }

    /// <summary>What the managed-identity endpoints serve: the platform's cached token, or a new one.</summary>
    public PlatformTokenCache PlatformTokens { get; }

    /// <summary>The secret a caller must echo in X-IDENTITY-HEADER, as the platform's IDENTITY_HEADER.</summary>
    public string IdentityHeader { get; }

    /// <summary>
    /// How long a new app-role assignment stays out of Graph's lists (<see cref="EmulatorOptions.ReplicationDelay"/>).
    /// </summary>
    public TimeSpan ReplicationDelay { get; init; }

    /// <summary>The most items in one Graph page (<see cref="EmulatorOptions.GraphPageSize"/>).</summary>
    public int GraphPageSize { get; init; } = 999;

    public FaultInjector Faults { get; } = new();

    public RequestCounters Counters { get; } = new();

    public EndpointGate Gate { get; }

    public GraphAuthorization GraphAuthorization { get; }
}
