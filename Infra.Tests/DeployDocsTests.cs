using System.Diagnostics;
using System.Text.RegularExpressions;
using TestSupport;

namespace Infra.Tests;

/// <summary>
/// The README's deploy commands parse as bash: each fenced bash block of "The sample protected API" (registering it
/// by hand) and "Deploy to Azure", with its
/// &lt;PLACEHOLDERS&gt; filled, through `bash -n`. They cannot run offline; a quoting slip would still stop a user.
/// </summary>
public sealed partial class DeployDocsTests
{
    public static TheoryData<int, string> Blocks()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var blocks = new[] { "\n## The sample protected API", "\n## Deploy to Azure" }.SelectMany(heading =>
        {
            var start = readme.IndexOf(heading, StringComparison.Ordinal);
            var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            return BashBlock().Matches(readme[start..end]).Select(m => m.Groups[1].Value);
        }).ToList();
        var data = new TheoryData<int, string>();
        for (var i = 0; i < blocks.Count; i++)
        {
            data.Add(i + 1, blocks[i]);
        }

        return data;
    }

    [Fact]
    public void DeploySection_HasItsCommandBlocks() => Assert.True(Blocks().Count >= 6, $"found {Blocks().Count} bash blocks");

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task Block_ParsesAsBash(int number, string block)
    {
        var script = Placeholder().Replace(block, "placeholder");
        var info = new ProcessStartInfo("bash", ["-n"]) { RedirectStandardInput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"block {number}:{Environment.NewLine}{script}{Environment.NewLine}{errors}");
    }

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex("<[A-Za-z][A-Za-z0-9 _-]*>")]
    private static partial Regex Placeholder();
}
