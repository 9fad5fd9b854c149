using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// What makes a Markdown file of this repository untrue: a relative link to a file or heading that does not exist, a
/// repository path written as code that does not exist, an option given to one of the repository's own programs that
/// the program does not parse. Each method returns one line per problem.
/// </summary>
internal static partial class DocsChecks
{
    public static IEnumerable<string> BrokenLinks(string root, string document, MarkdownDocument markdown)
    {
        foreach (var link in markdown.Links)
        {
            var hash = link.IndexOf('#', StringComparison.Ordinal);
            var (file, anchor) = hash < 0 ? (link, null) : (link[..hash], link[(hash + 1)..]);
            if (file.Length == 0)
            {
                if (!markdown.Anchors.Contains(anchor!))
                {
                    yield return $"link '{link}': this page has no heading with the anchor '{anchor}'";
                }

                continue;
            }

            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, file));
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                yield return $"link '{link}': {Path.GetRelativePath(root, target)} does not exist";
            }
            else if (anchor is not null && target.EndsWith(".md", StringComparison.Ordinal)
                && !MarkdownDocument.Parse(File.ReadAllText(target)).Anchors.Contains(anchor))
            {
                yield return $"link '{link}': {Path.GetRelativePath(root, target)} has no heading with the anchor '{anchor}'";
            }
        }
    }

    /// <summary>
    /// A repository path is a word of code with a '/' whose first segment is an entry of the repository's root
    /// (FunctionApp, docs, host.json...) or a dot-folder (.ci, .vscode): a URL, a route, an absolute path or a path
    /// relative to another folder is not one. A path into build output (a bin or obj segment) is made by a build, not
    /// kept in the repository; '*', &lt;placeholder&gt; and {placeholder} segments must match at least one file.
    /// </summary>
    public static IEnumerable<string> MissingPaths(string root, MarkdownDocument markdown)
    {
        var rootEntries = Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var files = new Lazy<string[]>(() => RepositoryFiles(root));
        foreach (var path in markdown.Code.SelectMany(code => PathWord().Matches(code)).Select(m => m.Value.TrimEnd('.', ',', ':')).Distinct())
        {
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (!(rootEntries.Contains(segments[0]) || DotFolder().IsMatch(segments[0])) || segments.Any(s => s is "bin" or "obj"))
            {
                continue;
            }

            var exists = Pattern().IsMatch(path)
                ? files.Value.Any(AsRegex(path.TrimEnd('/')).IsMatch)
                : File.Exists(Path.Combine(root, path)) || Directory.Exists(Path.Combine(root, path));
            if (!exists)
            {
                yield return $"path '{path}' does not exist";
            }
        }
    }

    public static IEnumerable<string> UnknownOptions(string root, MarkdownDocument markdown)
    {
        foreach (var command in markdown.Code.SelectMany(Commands))
        {
            if (ProgramCommandLine.Find(command) is not { Options.Count: > 0 } invocation)
            {
                continue;
            }

            // A program named without options is a path, which MissingPaths checks.
            var program = Path.Combine(root, invocation.Program);
            if (!File.Exists(program) && !Directory.Exists(program))
            {
                yield return $"'{command}': {invocation.Program} does not exist";
                continue;
            }

            var parsed = ProgramCommandLine.OptionsOf(root, invocation.Program);
            foreach (var option in invocation.Options.Where(o => !parsed.Contains(o)))
            {
                yield return $"'{command}': {invocation.Program} has no option {option}";
            }
        }

        // A table of options lists those of every repository program its section runs before it.
        foreach (var row in markdown.OptionRows)
        {
            var programs = row.CodeBefore.SelectMany(Commands).Select(ProgramCommandLine.Find).OfType<ProgramCommandLine>()
                .Select(i => i.Program).Distinct().ToList();
            if (programs.Count == 0)
            {
                yield return $"option table row '{row.Cell}': its section runs none of the repository's programs before the table";
            }

            foreach (var program in programs)
            {
                if (!File.Exists(Path.Combine(root, program)) && !Directory.Exists(Path.Combine(root, program)))
                {
                    yield return $"option table row '{row.Cell}': {program} does not exist";
                    continue;
                }

                var parsed = ProgramCommandLine.OptionsOf(root, program);
                foreach (var option in ProgramCommandLine.OptionsIn(row.Cell).Where(o => !parsed.Contains(o)))
                {
                    yield return $"option table row '{row.Cell}': {program} has no option {option}";
                }
            }
        }
    }

    // A line of code cut into commands: its comment dropped, split at ; && || | and parentheses.
    private static IEnumerable<string> Commands(string code) =>
        CommandSeparator().Split(ShellComment().Replace(code, "")).Select(c => c.Trim()).Where(c => c.Length > 0);

    private static string[] RepositoryFiles(string root) =>
        [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(s => s is "bin" or "obj" or ".git" or "node_modules"))];

    private static Regex AsRegex(string pattern) => new(
        "^" + string.Concat(pattern.Split('/').Select((segment, i) => (i == 0 ? "" : "/") + (segment == "**"
            ? ".*"
            : string.Concat(Placeholder().Split(segment).Select((part, j) => j % 2 == 1 ? "[^/]+" : Regex.Escape(part).Replace(@"\*", "[^/]*", StringComparison.Ordinal)))))) + "(/.*)?$");

    // Starts at a word that no '/', ':', '.', '$', '~', '@' or word character precedes, so not inside a URL, an
    // absolute path or a shell variable; segments may hold '*' and <placeholder> or {placeholder}.
    [GeneratedRegex(@"(?<![\w./:$~@\\-])\.?[A-Za-z0-9_][\w.-]*(?:(?:/[\w.*<>{}-]+)+/?|/)")]
    private static partial Regex PathWord();

    [GeneratedRegex(@"^\.[A-Za-z]")]
    private static partial Regex DotFolder();

    [GeneratedRegex(@"[*<>{}]")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"(<[^>/]+>|\{[^}/]+\})")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(^|\s)#.*$")]
    private static partial Regex ShellComment();

    [GeneratedRegex(@"&&|\|\||[;|()]")]
    private static partial Regex CommandSeparator();
}
