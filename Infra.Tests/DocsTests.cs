using TestSupport;

namespace Infra.Tests;

/// <summary>
/// README.md and every page of docs/ stay true to the repository: their relative links lead to files and headings
/// that exist, the repository paths they write as code exist, and the options they give the repository's own
/// programs are ones those programs parse. The last tests feed the checks a page with one mistake each, so that a
/// check that finds nothing cannot pass unnoticed.
/// </summary>
public sealed class DocsTests
{
    public static TheoryData<string> Documents() => [.. DocumentPaths()];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Links_LeadToFilesAndHeadingsThatExist(string document)
    {
        var path = Path.Combine(Repository.Root, document);

        var problems = DocsChecks.BrokenLinks(Repository.Root, path, Read(document)).ToList();

        Assert.True(problems.Count == 0, Report(document, problems));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void RepositoryPathsWrittenAsCode_Exist(string document)
    {
        var problems = DocsChecks.MissingPaths(Repository.Root, Read(document)).ToList();

        Assert.True(problems.Count == 0, Report(document, problems));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void OptionsGivenToTheRepositorysPrograms_AreOnesTheyParse(string document)
    {
        var problems = DocsChecks.UnknownOptions(Repository.Root, Read(document)).ToList();

        Assert.True(problems.Count == 0, Report(document, problems));
    }

    [Fact]
    public void Documents_IncludeTheReadmeAndEveryDocsPage() =>
        Assert.Superset(new HashSet<string> { "README.md", "docs/deployment.md", "docs/troubleshooting.md", "docs/testing.md" },
            DocumentPaths().ToHashSet());

    [Fact]
    public void MissingPaths_ReportsAMissingPathInCodeButNotUrlsRoutesGlobsOrBuildOutput()
    {
        var page = MarkdownDocument.Parse("""
            Run `scripts/run-local.sh`, read `infra/main.bicep`, `samples/ProtectedApi/`, `docs/` and `nodocs/`.

            ```bash
            cat infra/nonexistent.bicep docs/*.md FunctionApp/Functions/*.cs
            cd FunctionApp/bin/Release/net10.0/linux-x64/publish
            curl http://127.0.0.1:5180/v1.0/users "https://$host/api/graph/users" api://<appId>/.default
            ls /work/main/docs/nothing.md "$root/infra/nothing.bicep" infra/<name>.yaml infra/<name>.bicep
            ```

            `GET /api/custom/{resource}`, `**/Http/QueryReader.cs`, `.vscode/absent.json`.
            """);

        var problems = DocsChecks.MissingPaths(Repository.Root, page).ToList();

        Assert.Equal(
            ["path 'infra/nonexistent.bicep' does not exist", "path 'infra/<name>.yaml' does not exist", "path '.vscode/absent.json' does not exist"],
            problems);
    }

    [Fact]
    public void UnknownOptions_ReportsAnOptionAProgramDoesNotParse()
    {
        var page = MarkdownDocument.Parse("""
            ```bash
            scripts/run-local.sh --as azure-cli --no-azurite -- --port 7199   # after -- the options are func start's
            scripts/run-local.sh --no-such-option
            dotnet run --project tools/IdentityEmulator -- --port 0 --token-lifetime 90m --hash-secret --tenat x.json
            dotnet run -c Release --project benchmarks -- --soak --minutes 10 --filter '*' --minuts 5
            dotnet pwsh infra/scripts/Grant-AppRole.ps1 -IdentityName x -List -WhatIf -RoleNam Api.Read
            dotnet run --project samples/ProtectedApi -- --urls http://127.0.0.1:5181
            ```

            And `dotnet pwsh infra/scripts/Missing.ps1 -Name x`.
            """);

        var problems = DocsChecks.UnknownOptions(Repository.Root, page).Select(p => p[(p.LastIndexOf(':') + 2)..]).ToList();

        Assert.Equal(
            ["scripts/run-local.sh has no option --no-such-option", "tools/IdentityEmulator has no option --tenat",
             "benchmarks has no option --minuts", "infra/scripts/Grant-AppRole.ps1 has no option -RoleNam",
             "infra/scripts/Missing.ps1 does not exist"],
            problems);
    }

    [Fact]
    public void UnknownOptions_ReportsAnOptionTableRowTheProgramsBeforeItDoNotParse()
    {
        var page = MarkdownDocument.Parse("""
            ## The emulator

            `dotnet run --project tools/IdentityEmulator` takes:

            | Option | Default |
            | --- | --- |
            | `--port <n>` | 5180 |
            | `--tenant-file <file>` | the sample |

            ## The script

            ```bash
            scripts/run-local.sh
            ```

            | Option | Effect |
            | --- | --- |
            | `--as <path>` | who the app runs as |
            | `-- <arguments>` | to func start |
            | `--replication-delay <span>` | the emulator's, not the script's |

            ## Nothing runs here

            | Option | Effect |
            | --- | --- |
            | `--verbose` | more |
            """);

        var problems = DocsChecks.UnknownOptions(Repository.Root, page).ToList();

        Assert.Equal(
            ["option table row '`--tenant-file <file>`': tools/IdentityEmulator has no option --tenant-file",
             "option table row '`--replication-delay <span>`': scripts/run-local.sh has no option --replication-delay",
             "option table row '`--verbose`': its section runs none of the repository's programs before the table"],
            problems);
    }

    [Fact]
    public void BrokenLinks_ReportsAMissingFileAndAMissingHeading()
    {
        var page = MarkdownDocument.Parse("""
            [fine](deployment.md#publish-the-code), [fine too](../infra/main.bicep), [here](#a-heading), [web](https://example.org/x.md)
            [gone](no-such-page.md) and [no heading](deployment.md#no-such-heading), [`code`](../README.md#no-anchor), [not here](#b)

            ## A heading
            """);

        var problems = DocsChecks.BrokenLinks(Repository.Root, Path.Combine(Repository.Root, "docs", "page.md"), page).ToList();

        Assert.Equal(
            ["link 'no-such-page.md': docs/no-such-page.md does not exist",
             "link 'deployment.md#no-such-heading': docs/deployment.md has no heading with the anchor 'no-such-heading'",
             "link '../README.md#no-anchor': README.md has no heading with the anchor 'no-anchor'",
             "link '#b': this page has no heading with the anchor 'b'"],
            problems);
    }

    [Theory]
    [InlineData("A stray `AZURE_CLIENT_ID`", "a-stray-azure_client_id")]
    [InlineData("3. The sample API's token validation", "3-the-sample-apis-token-validation")]
    [InlineData("`GET /api/token/claims?target=graph|protected-api`", "get-apitokenclaimstargetgraphprotected-api")]
    [InlineData("Where `func start` finds its files", "where-func-start-finds-its-files")]
    public void Slug_IsGitHubsAnchorForTheHeading(string heading, string anchor) => Assert.Equal(anchor, MarkdownDocument.Slug(heading));

    private static IEnumerable<string> DocumentPaths() =>
        new[] { "README.md" }.Concat(Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md")
            .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/')).Order(StringComparer.Ordinal));

    private static MarkdownDocument Read(string document) => MarkdownDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, document)));

    private static string Report(string document, List<string> problems) =>
        $"{document}:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}";
}
