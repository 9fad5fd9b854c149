using IdentityEmulator.Faults;
using IdentityEmulator.Graph;
using IdentityEmulator.Tenant;
using IdentityEmulator.Tokens;

namespace IdentityEmulator;

/// <summary>Everything the endpoints share for one emulator instance; registered as a singleton.</summary>
internal sealed class EmulatorState(TenantDirectory tenant, SigningKeys keys, TokenIssuer issuer, string identityHeader)
{
    public TenantDirectory Tenant { get; } = tenant;

    public SigningKeys Keys { get; } = keys;

    public TokenIssuer Issuer { get; } = issuer;

    /// <summary>The secret a caller must echo in X-IDENTITY-HEADER, as the platform's IDENTITY_HEADER.</summary>
    public string IdentityHeader { get; } = identityHeader;

    public FaultInjector Faults { get; } = new();

    public RequestCounters Counters { get; } = new();

    public EndpointGate Gate => new(Faults, Counters);

    public GraphAuthorization GraphAuthorization { get; } = new(tenant, keys);
}
