using System.Text;
using System.Text.RegularExpressions;

namespace Infra.Tests;

internal sealed record OptionRow(IReadOnlyList<string> CodeBefore, string Cell);

/// <summary>
/// A Markdown file as the docs checks read it: the commands and paths written as code (each line of a fenced block,
/// with backslash continuations joined, and each inline code span), its relative links, and the anchors GitHub gives
/// its headings.
/// </summary>
internal sealed partial class MarkdownDocument
{
    private MarkdownDocument(List<string> code, List<string> links, HashSet<string> anchors, List<OptionRow> optionRows)
    {
        Code = code;
        Links = links;
        Anchors = anchors;
        OptionRows = optionRows;
    }

    public IReadOnlyList<string> Code { get; }

    /// <summary>
    /// The first cells of tables headed "Option", each with the code written before it in its section: where the
    /// command of the program whose options the table lists is.
    /// </summary>
    public IReadOnlyList<OptionRow> OptionRows { get; }

    /// <summary>Link targets that are not URLs: a path relative to the file, an anchor, or both.</summary>
    public IReadOnlyList<string> Links { get; }

    public IReadOnlySet<string> Anchors { get; }

    public static MarkdownDocument Parse(string text)
    {
        var code = new List<string>();
        var links = new List<string>();
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var optionRows = new List<OptionRow>();
        var sectionStart = 0;
        var table = TableKind.None;
        var fenced = false;
        var pending = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced)
            {
                // A shell line ending in a backslash goes on in the next one: one command, read as one.
                pending.Append(line.TrimEnd());
                if (pending.Length > 0 && pending[^1] == '\\')
                {
                    pending.Length--;
                    continue;
                }

                code.Add(pending.ToString());
                pending.Clear();
                continue;
            }

            var cells = line.TrimStart().StartsWith('|') ? line.Trim().Trim('|').Split('|') : null;
            table = (table, cells) switch
            {
                (_, null) => TableKind.None,
                (TableKind.None, _) => cells[0].Trim() == "Option" ? TableKind.Options : TableKind.Other,
                _ => table,
            };
            if (table == TableKind.Options && cells is not null && !cells[0].Trim().All(c => c is '-' or ':') && cells[0].Trim() != "Option")
            {
                optionRows.Add(new OptionRow([.. code.Skip(sectionStart)], cells[0].Trim()));
            }

            code.AddRange(InlineCode().Matches(line).Select(m => m.Groups[1].Value));
            var prose = InlineCode().Replace(line, "");
            links.AddRange(Link().Matches(prose).Select(m => m.Groups[2].Value).Where(target => !Scheme().IsMatch(target)));
            if (Heading().Match(line) is { Success: true } heading)
            {
                anchors.Add(UniqueAnchor(anchors, Slug(heading.Groups[1].Value)));
                sectionStart = code.Count;
            }
        }

        return new MarkdownDocument(code, links, anchors, optionRows);
    }

    /// <summary>GitHub's heading anchor: link text kept, lower case, punctuation other than '-' and '_' dropped, spaces as '-'.</summary>
    public static string Slug(string heading)
    {
        var text = Link().Replace(heading.Trim(), "$1").ToLowerInvariant();
        return NotInSlug().Replace(text, "").Replace(' ', '-');
    }

    private static string UniqueAnchor(HashSet<string> anchors, string slug)
    {
        var anchor = slug;
        for (var n = 1; anchors.Contains(anchor); n++)
        {
            anchor = $"{slug}-{n}";
        }

        return anchor;
    }

    private enum TableKind
    {
        None,
        Options,
        Other,
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex InlineCode();

    // [text](target): the text in group 1, the target in group 2.
    [GeneratedRegex(@"\[([^\]]*)\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex("^#{1,6} +(.+?) *#* *$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{M}\p{N}\p{Pc} -]")]
    private static partial Regex NotInSlug();
}
