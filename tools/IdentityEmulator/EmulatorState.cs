using IdentityEmulator.Faults;
using IdentityEmulator.Graph;
using IdentityEmulator.Tenant;
using IdentityEmulator.Tokens;

namespace IdentityEmulator;

/// <summary>Everything the endpoints share for one emulator instance; registered as a singleton.</summary>
internal sealed class EmulatorState
{
    public EmulatorState(TenantDirectory tenant, SigningKeys keys, TokenIssuer issuer, string identityHeader)
    {
        Tenant = tenant;
        Keys = keys;
        Issuer = issuer;
        IdentityHeader = identityHeader;
        Gate = new EndpointGate(Faults, Counters);
        GraphAuthorization = new GraphAuthorization(tenant, keys);
    }

    public TenantDirectory Tenant { get; }

    public SigningKeys Keys { get; }

    public TokenIssuer Issuer { get; }

    /// <summary>The secret a caller must echo in X-IDENTITY-HEADER, as the platform's IDENTITY_HEADER.</summary>
    public string IdentityHeader { get; }

    public FaultInjector Faults { get; } = new();

    public RequestCounters Counters { get; } = new();

    public EndpointGate Gate { get; }

    public GraphAuthorization GraphAuthorization { get; }
}
