using System.Text.RegularExpressions;
using TestSupport;

namespace Infra.Tests;

/// <summary>
/// The README's "How it works" quotes the code that teaches the lesson; each quote must still be in the file it links
/// to, or a reader copies code the app no longer runs.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private const string Section = "## How it works";

    [Fact]
    public void HowItWorks_QuotesTheCredentialGraphAndTheCustomApiHeader()
    {
        var snippets = Snippets(ReadSection()).ToList();

        Assert.Equal(
            [
                "FunctionApp/Identity/IdentityServiceExtensions.cs",
                "FunctionApp/Graph/GraphServiceExtensions.cs",
                "FunctionApp/CustomApi/CustomApiClient.cs",
            ],
            snippets.Select(s => s.File));
        Assert.Contains("new ManagedIdentityCredential(", snippets[0].Code, StringComparison.Ordinal);
        Assert.Contains("new DefaultAzureCredential(", snippets[0].Code, StringComparison.Ordinal);
        Assert.Contains("new GraphServiceClient(", snippets[1].Code, StringComparison.Ordinal);
        Assert.Contains("request.Headers.Authorization", snippets[2].Code, StringComparison.Ordinal);
        Assert.Contains("GetTokenAsync", snippets[2].Code, StringComparison.Ordinal);
    }

    [Fact]
    public void HowItWorks_EachSnippetIsInTheFileItLinksTo()
    {
        Assert.Empty(Stale(ReadSection(), Repository.Root));
    }

    [Fact]
    public void Stale_ReportsASnippetTheFileNoLongerHoldsAndOneTooShortToMean()
    {
        const string markdown = """
            Changed ([FunctionApp/Program.cs](FunctionApp/Program.cs)):

            ```csharp
            var builder = FunctionsApplication.CreateBuilder(args);
            builder.Services.AddSingleton<ThatNoLongerExists>();
            builder.Build().Run();
            ```

            Too short ([FunctionApp/Program.cs](FunctionApp/Program.cs)):

            ```csharp
            builder.Build().Run();
            ```
            """;

        Assert.Equal(
            [
                "FunctionApp/Program.cs: the snippet starting 'var builder = FunctionsApplication.CreateBuilder(args);' is not in the file",
                "FunctionApp/Program.cs: a snippet of 1 line(s); quote at least 3",
            ],
            Stale(markdown, Repository.Root));
    }

    private static IEnumerable<string> Stale(string markdown, string root)
    {
        foreach (var (file, code) in Snippets(markdown))
        {
            var lines = code.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length < 3)
            {
                yield return $"{file}: a snippet of {lines.Length} line(s); quote at least 3";
                continue;
            }

            var source = File.ReadAllText(Path.Combine(root, file));
            if (!Normalized(source).Contains(Normalized(code), StringComparison.Ordinal))
            {
                yield return $"{file}: the snippet starting '{lines[0].Trim()}' is not in the file";
            }
        }
    }

    // Each C# block with the last link to a .cs file before it.
    private static IEnumerable<(string File, string Code)> Snippets(string markdown)
    {
        foreach (Match block in CSharpBlock().Matches(markdown))
        {
            var before = markdown[..block.Index];
            var link = CodeFileLink().Matches(before).LastOrDefault();
            Assert.True(link is not null, "a C# snippet without a link to its file");
            yield return (link.Groups["path"].Value, block.Groups["code"].Value);
        }
    }

    private static string ReadSection()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var start = readme.IndexOf(Section + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section '{Section}'");
        var end = readme.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    private static string Normalized(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\]\((?<path>[^)#]+\.cs)\)")]
    private static partial Regex CodeFileLink();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
