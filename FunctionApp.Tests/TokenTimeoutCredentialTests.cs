using Azure.Core;
using Azure.Identity;
using FunctionApp.Identity;

namespace FunctionApp.Tests;

public sealed class TokenTimeoutCredentialTests
{
    private static readonly TokenRequestContext Graph = new(["https://graph.microsoft.com/.default"]);

    [Fact]
    public async Task GetToken_WhenTheCredentialNeverAnswers_FailsAfterTheTimeoutNamingTheSetting()
    {
        var credential = new TokenTimeoutCredential(new SilentCredential(), TimeSpan.FromMilliseconds(100));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => credential.GetTokenAsync(Graph, CancellationToken.None).AsTask());

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(10));
        Assert.Contains("(Identity__TokenTimeout)", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://graph.microsoft.com/.default", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetToken_WhenTheCallerCancels_IsACancellationNotACredentialFailure()
    {
        var credential = new TokenTimeoutCredential(new SilentCredential(), TimeSpan.FromMinutes(1));
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => credential.GetTokenAsync(Graph, caller.Token).AsTask());
    }

    [Fact]
    public async Task GetToken_WhenTheCredentialAnswers_ReturnsItsToken()
    {
        var token = new AccessToken("not-a-jwt", DateTimeOffset.UtcNow.AddHours(1));
        var credential = new TokenTimeoutCredential(new SilentCredential(token), TimeSpan.FromMinutes(1));

        Assert.Equal(token, await credential.GetTokenAsync(Graph, CancellationToken.None));
        // Synchronous callers (some SDKs still have them) get the same token under the same bound.
        Assert.Equal(token, credential.GetToken(Graph, CancellationToken.None));
    }

    [Fact]
    public void GetToken_Synchronously_WhenTheCredentialNeverAnswers_FailsAfterTheTimeout()
    {
        var credential = new TokenTimeoutCredential(new SilentCredential(), TimeSpan.FromMilliseconds(100));

        var error = Assert.Throws<AuthenticationFailedException>(() => credential.GetToken(Graph, CancellationToken.None));

        Assert.Equal(
            "No token for https://graph.microsoft.com/.default within 0 s (Identity__TokenTimeout): the identity endpoint did not answer in time.",
            error.Message);
    }

    /// <summary>A hand-written credential: answers at once with its token, or never (until cancelled) without one.</summary>
    private sealed class SilentCredential(AccessToken? token = null) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            if (token is { } answer)
            {
                return answer;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
