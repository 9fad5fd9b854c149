using System.Diagnostics;
using System.Text.RegularExpressions;
using TestSupport;

namespace Infra.Tests;

/// <summary>
/// The deployment commands parse as bash: each fenced bash block of docs/deployment.md, of docs/sample-api.md
/// (running the API and registering it by hand) and of the README's "Deploy" and "Call it" sections, with its
/// &lt;PLACEHOLDERS&gt; filled, through `bash -n`. They cannot run offline; a quoting slip would still stop a user.
/// </summary>
public sealed partial class DeployDocsTests
{
    private static readonly (string File, string? Section)[] Sources =
        [("docs/deployment.md", null), ("docs/sample-api.md", null), ("README.md", "## Deploy"), ("README.md", "## Call it")];

    public static TheoryData<string, int, string> Blocks()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var (source, blocks) in BlocksBySource())
        {
            for (var i = 0; i < blocks.Count; i++)
            {
                data.Add(source, i + 1, blocks[i]);
            }
        }

        return data;
    }

    [Fact]
    public void EachSource_HasItsCommandBlocks()
    {
        var minimums = new Dictionary<string, int> { ["docs/deployment.md"] = 8, ["docs/sample-api.md"] = 2, ["README.md ## Deploy"] = 2, ["README.md ## Call it"] = 1 };
        var counts = BlocksBySource().ToDictionary(s => s.Source, s => s.Blocks.Count);

        Assert.Empty(minimums.Where(m => counts[m.Key] < m.Value).Select(m => $"{m.Key}: {counts[m.Key]} bash blocks, expected at least {m.Value}"));
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task Block_ParsesAsBash(string source, int number, string block)
    {
        var script = Placeholder().Replace(block, "placeholder");
        var parse = await ProcessRun.RunAsync(new ProcessStartInfo("bash", ["-n"]), stdin: script);

        Assert.True(
            parse.ExitCode == 0,
            $"{source}, block {number}:{Environment.NewLine}{script}{Environment.NewLine}{parse.Stderr}");
    }

    private static IEnumerable<(string Source, List<string> Blocks)> BlocksBySource() =>
        Sources.Select(s => (s.Section is null ? s.File : $"{s.File} {s.Section}",
            BashBlock().Matches(Read(s.File, s.Section)).Select(m => m.Groups[1].Value).ToList()));

    // The whole file, or one "## " section of it; a section that is gone fails here rather than yielding no blocks.
    private static string Read(string file, string? section)
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, file));
        if (section is null)
        {
            return text;
        }

        var start = text.IndexOf("\n" + section + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{file} has no section '{section}'");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return text[start..(end < 0 ? text.Length : end)];
    }

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex("<[A-Za-z][A-Za-z0-9 _-]*>")]
    private static partial Regex Placeholder();
}
