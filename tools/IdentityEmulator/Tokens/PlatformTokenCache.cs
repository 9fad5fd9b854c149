using System.Collections.Concurrent;
using IdentityEmulator.Tenant;

namespace IdentityEmulator.Tokens;

/// <summary>
/// The managed-identity platform's own token cache, which no client can clear: per identity and requested resource, the
/// token issued first is served again until it is near expiry, so a role assigned after it was issued stays missing
/// however often the app restarts. Microsoft Entra docs, "Managed identity best practice recommendations",
/// "Limitation of using managed identities for authorization": tokens are cached per resource URI for about 24 hours.
/// </summary>
internal sealed class PlatformTokenCache(TokenIssuer issuer, TimeProvider time, bool enabled)
{
    // Past this (or half the token's lifetime, if shorter), a new token: MSAL asks again five minutes before expiry and
    // must not be handed one it would discard.
    private static readonly TimeSpan MinimumRemaining = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(Guid Identity, string Resource), IssuedToken> _tokens = new();

    public IssuedToken Get(ManagedIdentity identity, string resource, ResolvedResource resolved)
    {
        if (!enabled)
        {
            return issuer.Issue(identity, resolved);
        }

        return _tokens.AddOrUpdate(
            (identity.ObjectId, resource),
            _ => issuer.Issue(identity, resolved),
            (_, cached) => IsFresh(cached) ? cached : issuer.Issue(identity, resolved));
    }

    /// <summary>Forgets every cached token (the admin route; the platform offers no such thing).</summary>
    public void Clear() => _tokens.Clear();

    private bool IsFresh(IssuedToken cached)
    {
        var halfLifetime = (cached.ExpiresOn - cached.IssuedAt).Ticks / 2;
        var threshold = TimeSpan.FromTicks(Math.Min(MinimumRemaining.Ticks, halfLifetime));
        return cached.ExpiresOn - time.GetUtcNow() > threshold;
    }
}
