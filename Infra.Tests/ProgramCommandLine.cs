using System.Reflection;
using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// A command that runs one of the repository's own programs, and the options that program parses: a script under
/// scripts/ or infra/scripts/ (bash: its case labels; PowerShell: its param block), or <c>dotnet run --project</c> of
/// the identity emulator or the benchmarks (the string literals of their command-line parsers).
/// </summary>
internal sealed partial record ProgramCommandLine(string Program, IReadOnlyList<string> Options)
{
    private static readonly Dictionary<string, string[]> Parsers = new(StringComparer.Ordinal)
    {
        ["tools/IdentityEmulator"] = ["tools/IdentityEmulator/Program.cs", "tools/IdentityEmulator/CommandLine.cs"],
        ["benchmarks"] = ["benchmarks/Program.cs", "benchmarks/Load/LoadCommand.cs"],
    };

    // PowerShell adds these to every [CmdletBinding()] script; SupportsShouldProcess adds WhatIf and Confirm.
    private static readonly string[] CommonParameters =
        ["Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
         "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable"];

    /// <summary>The program a command runs and the options it gives it, or null when it runs none of the repository's.</summary>
    public static ProgramCommandLine? Find(string command)
    {
        var words = Word().Matches(command).Select(m => m.Value.Trim('\'', '"')).ToList();
        var project = words.IndexOf("--project");
        if (words.Count > 1 && words[0] == "dotnet" && words[1] == "run" && project > 0 && project + 1 < words.Count
            && Parsers.ContainsKey(words[project + 1].TrimEnd('/')))
        {
            // dotnet run's own options come before the bare --; the program's after it.
            var separator = words.IndexOf("--");
            return new(words[project + 1].TrimEnd('/'), separator < 0 ? [] : OptionWords(words.Skip(separator + 1)));
        }

        var script = words.FindIndex(w => Script().IsMatch(w));
        // After a script's own options, a bare -- passes the rest on (run-local.sh: to func start).
        return script < 0 ? null : new(words[script].TrimStart('.', '/'), OptionWords(words.Skip(script + 1).TakeWhile(w => w != "--")));
    }

    /// <summary>The options the program at <paramref name="program"/> (relative to the root) parses, as written on a command line.</summary>
    public static IReadOnlySet<string> OptionsOf(string root, string program)
    {
        if (Parsers.TryGetValue(program, out var parser))
        {
            var options = parser.SelectMany(file => File.ReadAllLines(Path.Combine(root, file)))
                .Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal))
                .SelectMany(line => QuotedOption().Matches(line).Select(m => m.Groups[1].Value))
                .ToHashSet(StringComparer.Ordinal);
            if (program == "benchmarks")
            {
                // Every argument the benchmarks do not take themselves goes on to BenchmarkDotNet's switcher.
                options.UnionWith(BenchmarkDotNetOptions());
            }

            return options;
        }

        var text = File.ReadAllText(Path.Combine(root, program));
        // A bash launcher that hands every argument to a PowerShell script takes that script's options.
        if (Launched().Match(text) is { Success: true } launched)
        {
            return OptionsOf(root, launched.Groups[1].Value);
        }

        return program.EndsWith(".ps1", StringComparison.Ordinal) ? PowerShellOptions(text) : BashCaseLabels(text);
    }

    /// <summary>The options written in a piece of text, such as a table cell listing one.</summary>
    public static IEnumerable<string> OptionsIn(string text) => OptionWords(Word().Matches(text.Replace('`', ' ')).Select(m => m.Value));

    private static List<string> OptionWords(IEnumerable<string> words) =>
        [.. words.Where(w => OptionWord().IsMatch(w)).Select(w => w.Split('=')[0])];

    private static HashSet<string> BashCaseLabels(string script) =>
        CaseLabel().Matches(script).SelectMany(m => m.Groups[1].Value.Split('|')).Where(l => l.StartsWith('-')).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> PowerShellOptions(string script)
    {
        // Parameter names are case-insensitive; a --long option of a script that reads its own arguments must be a
        // string literal outside a comment.
        var options = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var code = string.Join('\n', script.Split('\n').Where(line => !line.TrimStart().StartsWith('#')));
        options.UnionWith(QuotedOption().Matches(code.Replace('\'', '"')).Select(m => m.Groups[1].Value));
        if (ParamBlock().Match(script) is { Success: true } block)
        {
            options.UnionWith(Parameter().Matches(block.Value).Select(m => "-" + m.Groups[1].Value));
            if (script.Contains("[CmdletBinding(", StringComparison.Ordinal))
            {
                options.UnionWith(CommonParameters.Select(p => "-" + p));
                if (script.Contains("SupportsShouldProcess", StringComparison.Ordinal))
                {
                    options.UnionWith(["-WhatIf", "-Confirm"]);
                }
            }
        }

        return options;
    }

    private static IEnumerable<string> BenchmarkDotNetOptions()
    {
        var type = typeof(BenchmarkDotNet.Running.BenchmarkSwitcher).Assembly.GetType("BenchmarkDotNet.ConsoleArguments.CommandLineOptions", throwOnError: true)!;
        foreach (var attribute in type.GetProperties().SelectMany(p => p.GetCustomAttributes()).Where(a => a.GetType().Name == "OptionAttribute"))
        {
            if (attribute.GetType().GetProperty("LongName")?.GetValue(attribute) is string { Length: > 0 } name)
            {
                yield return "--" + name;
            }
        }
    }

    [GeneratedRegex("\"[^\"]*\"|'[^']*'|\\S+")]
    private static partial Regex Word();

    [GeneratedRegex(@"^(\./)?(scripts|infra/scripts)/[\w.-]+\.(sh|ps1)$")]
    private static partial Regex Script();

    [GeneratedRegex(@"(?m)^exec dotnet pwsh .*-File ""\$root/([\w/.-]+\.ps1)"" ""\$@""$")]
    private static partial Regex Launched();

    [GeneratedRegex(@"^--?[A-Za-z][\w:-]*(=.*)?$")]
    private static partial Regex OptionWord();

    [GeneratedRegex("\"(--?[A-Za-z][\\w-]*)\"")]
    private static partial Regex QuotedOption();

    [GeneratedRegex(@"(?m)^\s*([-\w|]*-[-\w|]*)\)")]
    private static partial Regex CaseLabel();

    [GeneratedRegex(@"(?ms)^param\s*\(.*?^\)")]
    private static partial Regex ParamBlock();

    [GeneratedRegex(@"(?m)^\s*(?:\[[^\]]*\]\s*)*\$(\w+)\s*(?:=|,|$)")]
    private static partial Regex Parameter();
}
