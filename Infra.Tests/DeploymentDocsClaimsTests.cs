using TestSupport;

namespace Infra.Tests;

/// <summary>
/// What the deployment docs say about the tools, checked where it can be offline: the first-deploy race with the exact
/// messages a user sees, one azd minimum everywhere, and none of the claims a review of Core Tools and azd found wrong.
/// </summary>
public sealed class DeploymentDocsClaimsTests
{
    // Core Tools 3ee97a63, PublishFunctionAppAction.PerformFlexDeployment, and the upload's 403 as users report it
    // (Azure/azure-functions-core-tools issue 4346).
    public static TheoryData<string> FirstDeployMessages =>
    [
        "Deployment was successful but the app appears to be unhealthy, please check the app logs.",
        "403 (This request is not authorized to perform this operation.)",
    ];

    [Theory]
    [MemberData(nameof(FirstDeployMessages))]
    public void FirstDeployment_QuotesWhatAUserSeesAndWhatToDo(string message)
    {
        var section = Section("docs/deployment.md", "## The first deployment");

        Assert.Contains(message, Normalized(section), StringComparison.Ordinal);
        Assert.Contains("deploy again", section, StringComparison.Ordinal);
        Assert.Contains(message, Normalized(Read("docs/troubleshooting.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void AzdMinimum_IsTheSameInTheReadmeAndTheDeploymentPage()
    {
        Assert.Contains("| Azure Developer CLI (`azd`) | 1.22.0 or later", Read("README.md"), StringComparison.Ordinal);
        Assert.Contains("**azd 1.22.0 or later**", Read("docs/deployment.md"), StringComparison.Ordinal);
    }

    [Theory]
    // That change of azd only affects --no-prompt; the version that matters is 1.22.0 (Azure/azure-dev issue 6281).
    [InlineData("before 2026-03")]
    // Core Tools never puts local.settings.json in the package it zips.
    [InlineData("would also copy `local.settings.json`")]
    public void Docs_NoLongerMake(string wrongClaim)
    {
        var documents = new[] { "README.md" }
            .Concat(Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md"))
            .Select(Read);

        Assert.All(documents, text => Assert.DoesNotContain(wrongClaim, text, StringComparison.Ordinal));
    }

    [Fact]
    public void GraphBicep_SaysWhoMayGrantAGraphApplicationPermission()
    {
        var header = Read("infra/graph.bicep").Split("extension ")[0];

        Assert.Contains("only Privileged Role Administrator (or Global Administrator) may", header, StringComparison.Ordinal);
    }

    private static string Read(string path) => File.ReadAllText(Path.Combine(Repository.Root, path));

    private static string Section(string path, string heading)
    {
        var text = Read(path);
        var start = text.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{path} has no section '{heading}'");
        var end = text.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    // Markdown wraps long quotes; compare them as one line.
    private static string Normalized(string text) => string.Join(' ', text.Split((char[])[' ', '\n'],
        StringSplitOptions.RemoveEmptyEntries));
}
