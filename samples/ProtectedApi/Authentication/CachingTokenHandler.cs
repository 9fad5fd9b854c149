using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace ProtectedApi.Authentication;

/// <summary>
/// Remembers tokens that passed full validation, so a caller presenting the same token again costs a lookup instead of
/// parsing it and checking its RSA signature. Managed identities and daemons reuse one token until it nears expiry, so
/// nearly every request from them is a repeat.
/// </summary>
/// <remarks>
/// What keeps this as strict as validating every time:
/// <list type="bullet">
/// <item>Only successes are remembered, keyed by the whole token (ordinal): a token differing in any character, including
/// its signature, is a stranger and is validated in full.</item>
/// <item>A remembered token is accepted only while the API's clock is before its <c>exp</c>, without the clock-skew
/// allowance full validation grants, and only while the key that verified it is still one of the current signing keys:
/// a metadata refresh (key rollover or a revoked key) sends every token through full validation again.</item>
/// <item>Authorization is not cached: the role policies run on every request against a fresh copy of the claims.</item>
/// </list>
/// Tokens stay in memory until they expire, as the request that carried them did; nothing is written anywhere.
/// Use one instance per authentication scheme: a remembered verdict is not re-checked against other issuers or audiences.
/// </remarks>
public sealed class CachingTokenHandler(TokenHandler inner, TimeProvider timeProvider, int capacity) : TokenHandler
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The handler that validates a token the first time it is seen.</summary>
    public TokenHandler Inner => inner;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_entries.TryGetValue(token, out var entry))
        {
            if (timeProvider.GetUtcNow().UtcDateTime < entry.Token.ValidTo && await IsCurrentKeyAsync(entry.Token.SigningKey, validationParameters).ConfigureAwait(false))
            {
                return entry.ToResult();
            }

            Forget(token, entry);
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid)
        {
            Remember(token, result);
        }

        return result;
    }

    private void Remember(string token, TokenValidationResult result)
    {
        // A token without exp or signing key never validates with the API's parameters; with others it is not remembered.
        if (result.SecurityToken is not { SigningKey: not null } validated || validated.ValidTo <= timeProvider.GetUtcNow().UtcDateTime
            || result.ClaimsIdentity is null)
        {
            return;
        }

        if (Volatile.Read(ref _count) >= capacity && !SweepExpired())
        {
            return;
        }

        // Copied now, before the caller sees the identity: whatever a request does to its principal stays its own.
        if (_entries.TryAdd(token, new Entry(validated, result.ClaimsIdentity.Clone(), result.Issuer, result.TokenType)))
        {
            Interlocked.Increment(ref _count);
        }
    }

    private void Forget(string token, Entry entry)
    {
        if (_entries.TryRemove(KeyValuePair.Create(token, entry)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    // Full: drop what has expired; if nothing had, new tokens are validated in full without being remembered.
    private bool SweepExpired()
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        foreach (var (token, entry) in _entries)
        {
            if (entry.Token.ValidTo <= now)
            {
                Forget(token, entry);
            }
        }

        return Volatile.Read(ref _count) < capacity;
    }

    // The keys full validation would try now: the metadata's (cached by the configuration manager, refreshed on its
    // schedule or when a token names an unknown kid) and any configured directly. Compared by reference, so a refresh,
    // which builds new key objects, counts as a change even when the published keys are the same.
    private static async ValueTask<bool> IsCurrentKeyAsync(SecurityKey key, TokenValidationParameters parameters)
    {
        if (ReferenceEquals(parameters.IssuerSigningKey, key) || Contains(parameters.IssuerSigningKeys, key))
        {
            return true;
        }

        if (parameters.ConfigurationManager is null)
        {
            return false;
        }

        var configuration = await parameters.ConfigurationManager.GetBaseConfigurationAsync(CancellationToken.None).ConfigureAwait(false);
        return Contains(configuration?.SigningKeys, key);
    }

    private static bool Contains(IEnumerable<SecurityKey>? keys, SecurityKey key)
    {
        foreach (var candidate in keys ?? [])
        {
            if (ReferenceEquals(candidate, key))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Entry(SecurityToken Token, ClaimsIdentity Identity, string Issuer, string TokenType)
    {
        public TokenValidationResult ToResult() => new()
        {
            IsValid = true,
            SecurityToken = Token,
            ClaimsIdentity = Identity.Clone(),
            Issuer = Issuer,
            TokenType = TokenType,
        };
    }
}
