using FunctionApp.Problems;
using TestSupport;

namespace FunctionApp.Tests;

/// <summary>The redaction every problem detail goes through, which the tests' log sink also uses to find leaks.</summary>
public sealed class ProblemMapperTests
{
    [Fact]
    public async Task Summarize_WithARealAccessTokenInTheMessage_RemovesAllOfIt()
    {
        var tenant = new TestTenant();
        await using var emulator = await tenant.StartAsync();
        var token = await EmulatorHttp.TokenAsync(emulator, "https://graph.microsoft.com");

        var summary = ProblemMapper.Summarize($"request failed: Authorization: Bearer {token}\nsecond line");

        Assert.Equal(token, ProblemMapper.TokenPattern().Match(token).Value);
        Assert.Equal("request failed: Authorization: Bearer [redacted token]", summary);
    }

    [Fact]
    public void Summarize_CutsTheTroubleshootingLinkAndLongMessages()
    {
        Assert.Equal("ManagedIdentityCredential authentication failed.",
            ProblemMapper.Summarize("ManagedIdentityCredential authentication failed. See the troubleshooting guide for more information. https://aka.ms/x"));
        Assert.Equal("first line", ProblemMapper.Summarize("  first line  \nsecond line"));
        Assert.Equal(new string('x', 400), ProblemMapper.Summarize(new string('x', 400)));
        Assert.Equal(new string('x', 400) + "…", ProblemMapper.Summarize(new string('x', 401)));
    }
}
