using Azure.Core;
using FunctionApp.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests;

public sealed class CachingTokenCredentialTests
{
    private static readonly TokenRequestContext Graph = new(["https://graph.microsoft.com/.default"]);
    private static readonly TokenRequestContext Api = new(["api://orders/.default"]);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task GetToken_WhenWarm_AnswersFromCacheWithoutCallingTheCredential()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1));
        using var cache = Create(inner);

        var first = await cache.GetTokenAsync(Graph, CancellationToken.None);
        var second = await cache.GetTokenAsync(new TokenRequestContext(["https://graph.microsoft.com/.default"]), CancellationToken.None);

        Assert.Equal(first.Token, second.Token);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task GetToken_ConcurrentColdCalls_ShareOneRequest()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1)) { Gate = new TaskCompletionSource() };
        using var cache = Create(inner);

        var calls = Enumerable.Range(0, 50).Select(_ => cache.GetTokenAsync(Graph, CancellationToken.None).AsTask()).ToList();
        inner.Gate.SetResult();
        var tokens = await Task.WhenAll(calls);

        Assert.Equal(1, inner.Calls);
        Assert.Single(tokens.Select(t => t.Token).Distinct());
    }

    [Fact]
    public async Task GetToken_EachScopeHasItsOwnEntry()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1));
        using var cache = Create(inner);

        var graph = await cache.GetTokenAsync(Graph, CancellationToken.None);
        var api = await cache.GetTokenAsync(Api, CancellationToken.None);

        Assert.NotEqual(graph.Token, api.Token);
        Assert.Equal(["https://graph.microsoft.com/.default", "api://orders/.default"], inner.Scopes);
    }

    [Fact]
    public async Task GetToken_AfterRefreshOn_ServesCachedTokenAndRefreshesOnceInBackground()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(24), refreshAfter: TimeSpan.FromHours(12));
        using var cache = Create(inner);
        var original = await cache.GetTokenAsync(Graph, CancellationToken.None);
        inner.Gate = new TaskCompletionSource();

        _time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));
        var duringRefresh = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => cache.GetTokenAsync(Graph, CancellationToken.None).AsTask()));
        inner.Gate.SetResult();
        await inner.WaitForCallsAsync(2);
        var refreshed = await WaitForNewTokenAsync(cache, original.Token);

        Assert.All(duringRefresh, t => Assert.Equal(original.Token, t.Token));
        Assert.Equal(2, inner.Calls);
        Assert.NotEqual(original.Token, refreshed.Token);
    }

    [Fact]
    public async Task GetToken_WithoutRefreshOn_RefreshesTheMarginAheadOfExpiry()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1));
        using var cache = Create(inner);
        await cache.GetTokenAsync(Graph, CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(54));
        await cache.GetTokenAsync(Graph, CancellationToken.None);
        Assert.Equal(1, inner.Calls);

        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await cache.GetTokenAsync(Graph, CancellationToken.None);
        await inner.WaitForCallsAsync(2);
    }

    [Fact]
    public async Task GetToken_PastExpiry_NeverServesTheExpiredTokenAndWaitsForANewOne()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1));
        using var cache = Create(inner);
        var original = await cache.GetTokenAsync(Graph, CancellationToken.None);

        _time.Advance(TimeSpan.FromHours(2));
        var next = await cache.GetTokenAsync(Graph, CancellationToken.None);

        Assert.NotEqual(original.Token, next.Token);
        Assert.True(next.ExpiresOn > _time.GetUtcNow());
    }

    [Fact]
    public async Task GetToken_WhenBackgroundRefreshFails_KeepsServingTheValidTokenAndRetriesLater()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1));
        using var cache = Create(inner);
        var original = await cache.GetTokenAsync(Graph, CancellationToken.None);
        inner.FailNext = true;

        _time.Advance(TimeSpan.FromMinutes(56));
        var served = await cache.GetTokenAsync(Graph, CancellationToken.None);
        await inner.WaitForCallsAsync(2);
        var again = await cache.GetTokenAsync(Graph, CancellationToken.None);

        Assert.Equal(original.Token, served.Token);
        Assert.Equal(original.Token, again.Token);
        Assert.Equal(2, inner.Calls);

        _time.Advance(TimeSpan.FromSeconds(16));
        await cache.GetTokenAsync(Graph, CancellationToken.None);
        await inner.WaitForCallsAsync(3);
    }

    [Fact]
    public async Task GetToken_WhenColdRequestFails_ThrowsAndTheNextCallTriesAgain()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1)) { FailNext = true };
        using var cache = Create(inner);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetTokenAsync(Graph, CancellationToken.None));
        var token = await cache.GetTokenAsync(Graph, CancellationToken.None);

        Assert.NotNull(token.Token);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task GetToken_WithClaimsChallenge_BypassesTheCache()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1));
        using var cache = Create(inner);
        await cache.GetTokenAsync(Graph, CancellationToken.None);

        await cache.GetTokenAsync(new TokenRequestContext(Graph.Scopes, claims: """{"access_token":{"nbf":{"essential":true}}}"""), CancellationToken.None);

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task GetToken_CallerCancellation_DoesNotCancelTheSharedRequest()
    {
        var inner = new SequenceCredential(_time, TimeSpan.FromHours(1)) { Gate = new TaskCompletionSource() };
        using var cache = Create(inner);
        using var cancelled = new CancellationTokenSource();

        var abandoned = cache.GetTokenAsync(Graph, cancelled.Token).AsTask();
        var patient = cache.GetTokenAsync(Graph, CancellationToken.None).AsTask();
        await cancelled.CancelAsync();
        inner.Gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.NotNull((await patient).Token);
        Assert.Equal(1, inner.Calls);
    }

    private CachingTokenCredential Create(TokenCredential inner) =>
        new(inner, _time, NullLogger<CachingTokenCredential>.Instance, TimeSpan.FromMinutes(5));

    private static async Task<AccessToken> WaitForNewTokenAsync(CachingTokenCredential cache, string old)
    {
        for (var i = 0; i < 200; i++)
        {
            var token = await cache.GetTokenAsync(Graph, CancellationToken.None);
            if (token.Token != old)
            {
                return token;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("the background refresh never replaced the token");
    }

    /// <summary>A hand-written credential: numbered tokens, optional gate and one-shot failure.</summary>
    private sealed class SequenceCredential(TimeProvider time, TimeSpan lifetime, TimeSpan? refreshAfter = null) : TokenCredential
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public List<string> Scopes { get; } = [];

        public TaskCompletionSource? Gate { get; set; }

        public bool FailNext { get; set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            lock (Scopes)
            {
                Scopes.Add(requestContext.Scopes[0]);
            }

            if (Gate is { } gate)
            {
                await gate.Task;
            }

            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("token endpoint unavailable");
            }

            var now = time.GetUtcNow();
            return new AccessToken($"token-{n}", now + lifetime, refreshAfter is { } r ? now + r : null);
        }

        public async Task WaitForCallsAsync(int calls)
        {
            for (var i = 0; i < 200 && Calls < calls; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(calls, Calls);
        }
    }
}
