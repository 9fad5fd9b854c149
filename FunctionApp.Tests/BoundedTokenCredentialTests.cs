using Azure.Core;
using Azure.Identity;
using FunctionApp.CustomApi;
using FunctionApp.Graph;
using FunctionApp.Identity;
using FunctionApp.Problems;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests;

public sealed class BoundedTokenCredentialTests
{
    private const string GraphScope = "https://graph.microsoft.com/.default";
    private const string Description = "DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS=AzureCliCredential)";
    private static readonly TokenRequestContext Graph = new([GraphScope]);

    // What AzureCliCredential throws inside DefaultAzureCredential when the API has not pre-authorized the Azure CLI,
    // as Azure.Identity 1.21 words it (seen against the emulator's az stand-in): the reason comes after the link.
    private const string AzureCliRefusal =
        "AzureCliCredential authentication failed: Azure CLI authentication failed due to an unknown error. See the " +
        "troubleshooting guide for more information. https://aka.ms/azsdk/net/identity/azclicredential/troubleshoot " +
        "ERROR: AADSTS65001: The user or administrator has not consented to use the application with ID " +
        "'04b07795-8ddb-461a-bbee-02f9e1bf7b46' named 'Microsoft Azure CLI'. Send an interactive authorization " +
        "request for this user and resource.\nInteractive authentication is needed. Please run:\naz login --scope x";

    [Fact]
    public async Task GetTokenAsync_WhenTheCredentialNeverAnswers_FailsAfterTheTimeoutNamingTheSetting()
    {
        var credential = Bounded(new FakeCredential(), TimeSpan.FromMilliseconds(100));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DependencyException>(() => credential.GetTokenAsync(Graph, default).AsTask());

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(10));
        Assert.Equal(FailureKind.NoToken, error.Kind);
        Assert.Equal("graph", error.Target);
        Assert.Equal(
            $"{Description} could not get a token for {GraphScope}: No token for {GraphScope} within 0 s " +
            "(Identity__TokenTimeout): the identity endpoint did not answer in time.",
            error.Message);
    }

    [Fact]
    public void GetToken_Synchronously_UsesTheSynchronousCallAndTheSameBound()
    {
        var inner = new FakeCredential();
        var credential = Bounded(inner, TimeSpan.FromMilliseconds(100));

        var error = Assert.Throws<DependencyException>(() => credential.GetToken(Graph, default));

        Assert.Equal((1, 0), (inner.SyncCalls, inner.AsyncCalls));
        Assert.EndsWith(
            "No token for https://graph.microsoft.com/.default within 0 s (Identity__TokenTimeout): " +
            "the identity endpoint did not answer in time.",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetToken_WhenTheCallerCancels_IsACancellationNotACredentialFailure()
    {
        var credential = Bounded(new FakeCredential(), TimeSpan.FromMinutes(1));
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => credential.GetTokenAsync(Graph, caller.Token).AsTask());
    }

    [Fact]
    public async Task GetToken_WhenTheCredentialCancelsOnItsOwn_IsNotReportedAsTheTimeout()
    {
        var inner = new FakeCredential(failure: new OperationCanceledException("the credential's own cancellation"));
        var credential = Bounded(inner, TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<OperationCanceledException>(() => credential.GetTokenAsync(Graph, default).AsTask());

        Assert.Equal("the credential's own cancellation", error.Message);
    }

    [Fact]
    public async Task GetToken_WhenTheCredentialAnswers_ReturnsItsTokenBothWays()
    {
        var token = new AccessToken("not-a-jwt", DateTimeOffset.UtcNow.AddHours(1));
        var inner = new FakeCredential(token);
        var credential = Bounded(inner, TimeSpan.FromMinutes(1));

        Assert.Equal(token, await credential.GetTokenAsync(Graph, default));
        Assert.Equal(token, credential.GetToken(Graph, default));
        Assert.Equal((1, 1), (inner.SyncCalls, inner.AsyncCalls));
    }

    [Fact]
    public async Task GetToken_WhenTheAzureCliLegIsRefused_NamesTheLegAndKeepsEntrasCodeAndReason()
    {
        var inner = new FakeCredential(failure: new CredentialUnavailableException(AzureCliRefusal));
        var credential = Bounded(inner, TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<DependencyException>(() => credential.GetTokenAsync(Graph, default).AsTask());

        Assert.Equal("No token available", error.Title);
        Assert.Equal(
            $"{Description} could not get a token for {GraphScope}: AzureCliCredential: AADSTS65001: The user or " +
            "administrator has not consented to use the application with ID '04b07795-8ddb-461a-bbee-02f9e1bf7b46' " +
            "named 'Microsoft Azure CLI'. Send an interactive authorization request for this user and resource.",
            error.Message);
    }

    [Fact]
    public async Task GetToken_WhenEntraDoesNotKnowTheResource_AdvisesTheApplicationIdUri()
    {
        var refusal = new AuthenticationFailedException(
            "ClientSecretCredential authentication failed: AADSTS500011: The resource principal named api://x was " +
            "not found in the tenant named contoso.");
        var credential = Bounded(new FakeCredential(failure: refusal), TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<DependencyException>(
            () => credential.GetTokenAsync(new TokenRequestContext(["api://x/.default"]), default).AsTask());

        Assert.Equal("Token request refused", error.Title);
        Assert.Equal("api://x/.default", error.Target);
        Assert.StartsWith("Entra does not know the resource 'api://x' (AADSTS500011)", error.Message, StringComparison.Ordinal);
    }

    private static BoundedTokenCredential Bounded(TokenCredential inner, TimeSpan timeout)
    {
        var targets = new TokenTargets(Options.Create(new GraphOptions()), Options.Create(new CustomApiOptions()));
        return new BoundedTokenCredential(inner, timeout, Description, targets);
    }

    /// <summary>
    /// A hand-written credential: answers at once with its token, fails with its failure, or never answers (until
    /// cancelled); it counts which path was asked.
    /// </summary>
    private sealed class FakeCredential(AccessToken? token = null, Exception? failure = null) : TokenCredential
    {
        public int SyncCalls { get; private set; }

        public int AsyncCalls { get; private set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            SyncCalls++;
            if (failure is not null)
            {
                throw failure;
            }

            if (token is { } answer)
            {
                return answer;
            }

            cancellationToken.WaitHandle.WaitOne();
            throw new OperationCanceledException(cancellationToken);
        }

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            AsyncCalls++;
            if (failure is not null)
            {
                throw failure;
            }

            if (token is { } answer)
            {
                return answer;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
