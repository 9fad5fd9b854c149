using Azure.Core;
using Azure.Identity;

namespace FunctionApp.Identity;

/// <summary>
/// A per-scope token cache in front of the app's credential. Azure.Identity caches managed-identity tokens too, but
/// each warm call through it still costs tens of microseconds and kilobytes of allocations; the Graph SDK and the
/// custom-API handler ask for a token on every request. This cache answers a warm call with one field read, refreshes
/// ahead of expiry with a single request in flight, and never hands out a token past its expiry.
/// </summary>
/// <remarks>
/// Freshness is flipped by a timer at the refresh time instead of reading the clock on every call: where this was
/// measured, one clock read cost more than half of the whole warm path (benchmarks/ClockBenchmarks.cs). Once
/// stale, every call reads the clock and no token within 30 seconds of its expiry is served. The refresh time is at
/// least that plus the refresh margin ahead of expiry (half the lifetime for Entra's 24-hour tokens), so a token
/// could only be served past expiry if the process's timers stalled for longer than that, as in a suspended VM.
/// </remarks>
public sealed class CachingTokenCredential : TokenCredential, IDisposable
{
    // Past this many distinct scope sets the cache stops adding entries and passes calls through; the app uses a
    // handful, so reaching it means a caller builds scopes dynamically.
    private const int MaxEntries = 32;

    // A token is not handed out during its last seconds: the receiving API may already consider it expired.
    private static readonly TimeSpan ExpirySkew = TimeSpan.FromSeconds(30);

    // After a failed background refresh, wait this long before trying again (the cached token stays in use).
    private static readonly TimeSpan BackgroundRetryDelay = TimeSpan.FromSeconds(15);

    private readonly TokenCredential _inner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _refreshMargin;
    private readonly TimeSpan _tokenTimeout;
    private readonly Lock _entriesLock = new();
    private volatile Entry[] _entries = [];

    /// <param name="inner">The credential that talks to the identity endpoint.</param>
    /// <param name="time">The clock and timers (a fake one in tests).</param>
    /// <param name="logger">Logs acquisitions and failed background refreshes, never a token.</param>
    /// <param name="refreshMargin">How long before expiry to refresh when the token carries no refresh hint.</param>
    /// <param name="tokenTimeout">
    /// How long one token request may take, MSAL's own retries included (default 30 s). Azure.Core's network timeout
    /// is 100 s per try, so an identity endpoint that accepts the connection and never answers would otherwise hold
    /// every caller past the function's timeout.
    /// </param>
    public CachingTokenCredential(TokenCredential inner, TimeProvider time, ILogger<CachingTokenCredential> logger, TimeSpan refreshMargin, TimeSpan? tokenTimeout = null)
    {
        _inner = inner;
        _time = time;
        _logger = logger;
        _refreshMargin = refreshMargin;
        _tokenTimeout = tokenTimeout ?? TimeSpan.FromSeconds(30);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        // A claims challenge (continuous access evaluation) asks for a token the cache cannot have.
        if (requestContext.Claims is not null)
        {
            return _inner.GetTokenAsync(requestContext, cancellationToken);
        }

        var entry = Find(requestContext.Scopes) ?? Add(requestContext.Scopes);
        if (entry is null)
        {
            return _inner.GetTokenAsync(requestContext, cancellationToken);
        }

        return entry.Fresh is { } fresh
            ? new ValueTask<AccessToken>(fresh.Token)
            : entry.GetStaleAsync(requestContext, cancellationToken);
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public void Dispose()
    {
        foreach (var entry in _entries)
        {
            entry.Dispose();
        }
    }

    private Entry? Find(string[] scopes)
    {
        foreach (var entry in _entries)
        {
            if (entry.Matches(scopes))
            {
                return entry;
            }
        }

        return null;
    }

    private Entry? Add(string[] scopes)
    {
        lock (_entriesLock)
        {
            if (Find(scopes) is { } existing)
            {
                return existing;
            }

            if (_entries.Length >= MaxEntries)
            {
                return null;
            }

            // Copy the scopes: the caller may reuse or change its array.
            var entry = new Entry(this, [.. scopes]);
            _entries = [.. _entries, entry];
            return entry;
        }
    }

    private sealed record CachedToken(AccessToken Token, DateTimeOffset RefreshAt, DateTimeOffset UsableUntil);

    private sealed class Entry(CachingTokenCredential owner, string[] scopes) : IDisposable
    {
        private readonly string[] _scopes = scopes;
        private readonly string _scopeText = string.Join(' ', scopes);
        private readonly Lock _lock = new();
        private volatile CachedToken? _fresh;
        private CachedToken? _current;
        private Task<CachedToken>? _refresh;
        private ITimer? _staleTimer;
        private DateTimeOffset _nextBackgroundAttempt;

        /// <summary>The cached token while it is before its refresh time; null once it should be refreshed.</summary>
        public CachedToken? Fresh => _fresh;

        public bool Matches(string[] scopes)
        {
            if (ReferenceEquals(scopes, _scopes))
            {
                return true;
            }

            if (scopes.Length != _scopes.Length)
            {
                return false;
            }

            for (var i = 0; i < scopes.Length; i++)
            {
                if (!string.Equals(scopes[i], _scopes[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public async ValueTask<AccessToken> GetStaleAsync(TokenRequestContext context, CancellationToken cancellationToken)
        {
            var now = owner._time.GetUtcNow();
            CachedToken? current;
            Task<CachedToken> refresh;
            lock (_lock)
            {
                current = _current;
                if (current is not null && now < current.UsableUntil)
                {
                    // Still valid: serve it and refresh behind the caller's back, one request at a time.
                    if (_refresh is null && now >= _nextBackgroundAttempt)
                    {
                        ObserveBackground(StartRefresh(context), current);
                    }

                    return current.Token;
                }

                refresh = _refresh ?? StartRefresh(context);
            }

            // The refresh is shared by every waiter, so one caller giving up must not cancel it for the others.
            return (await refresh.WaitAsync(cancellationToken).ConfigureAwait(false)).Token;
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _staleTimer?.Dispose();
            }
        }

        // Called under _lock.
        private Task<CachedToken> StartRefresh(TokenRequestContext context)
        {
            var task = RefreshAsync(context);
            // A synchronously completed refresh has already cleared _refresh in its finally block.
            if (!task.IsCompleted)
            {
                _refresh = task;
            }

            return task;
        }

        private async Task<CachedToken> RefreshAsync(TokenRequestContext context)
        {
            try
            {
                var token = await AcquireAsync(context).ConfigureAwait(false);
                var cached = Describe(token, owner._time.GetUtcNow());
                lock (_lock)
                {
                    _current = cached;
                    _staleTimer?.Dispose();
                    _staleTimer = null;
                    var untilStale = cached.RefreshAt - owner._time.GetUtcNow();
                    if (untilStale > TimeSpan.Zero)
                    {
                        _fresh = cached;
                        _staleTimer = owner._time.CreateTimer(static state => ((Entry)state!).MarkStale(), this, untilStale, Timeout.InfiniteTimeSpan);
                    }
                }

                IdentityLog.TokenAcquired(owner._logger, _scopeText, token.ExpiresOn, cached.RefreshAt);
                return cached;
            }
            finally
            {
                lock (_lock)
                {
                    _refresh = null;
                }
            }
        }

        private async Task<AccessToken> AcquireAsync(TokenRequestContext context)
        {
            using var timeout = new CancellationTokenSource(owner._tokenTimeout, owner._time);
            try
            {
                return await owner._inner.GetTokenAsync(context, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // Reported as the credential failure it is, so callers map it like any other (a 503 naming the setting).
                throw new AuthenticationFailedException(
                    $"No token for {_scopeText} within {owner._tokenTimeout.TotalSeconds:0} s (Identity__TokenTimeout): the identity endpoint did not answer in time.");
            }
        }

        private void MarkStale() => _fresh = null;

        private void ObserveBackground(Task<CachedToken> refresh, CachedToken current) =>
            refresh.ContinueWith(
                failed =>
                {
                    lock (_lock)
                    {
                        _nextBackgroundAttempt = owner._time.GetUtcNow() + BackgroundRetryDelay;
                    }

                    IdentityLog.BackgroundRefreshFailed(owner._logger, _scopeText, current.Token.ExpiresOn, failed.Exception!.InnerException ?? failed.Exception);
                },
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

        private CachedToken Describe(AccessToken token, DateTimeOffset now)
        {
            var usableUntil = token.ExpiresOn - ExpirySkew;
            // Azure.Identity sets RefreshOn when Entra suggests one (half the lifetime of long-lived managed-identity
            // tokens); otherwise refresh a margin ahead of expiry, or halfway through a token shorter than that.
            var refreshAt = token.RefreshOn
                ?? token.ExpiresOn - TimeSpan.FromTicks(Math.Min(owner._refreshMargin.Ticks, (token.ExpiresOn - now).Ticks / 2));
            return new CachedToken(token, refreshAt < usableUntil ? refreshAt : usableUntil, usableUntil);
        }
    }
}
