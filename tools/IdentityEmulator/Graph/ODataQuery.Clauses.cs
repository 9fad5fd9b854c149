using System.Text.RegularExpressions;

namespace IdentityEmulator.Graph;

/// <summary>
/// The $filter and $search expressions <see cref="ODataQuery"/> understands,
/// parsed against a collection's capabilities.
/// </summary>
internal static partial class ODataQuery
{
    /// <summary>startswith(p,'v') and p eq 'v' clauses; "and" binds tighter than "or", as in OData.</summary>
    private sealed partial class Filter(List<List<Clause>> anyOf)
    {
        public bool Matches(Dictionary<string, object?> entity) => anyOf.Any(all => all.All(c => c.Matches(entity)));

        public static Filter? Parse(string text, GraphCollection collection, out IResult? error)
        {
            var groups = new List<List<Clause>> { new() };
            var rest = text.Trim();
            while (true)
            {
                var match = ClauseRegex().Match(rest);
                if (!match.Success)
                {
                    error = GraphErrors.BadRequest(
                        $"Invalid filter clause: unsupported expression near '{Truncate(rest)}' "
                        + "(supported: startswith(property,'value'), property eq 'value', and, or)");
                    return null;
                }

                var isStartsWith = match.Groups["fn"].Success;
                var name = isStartsWith ? match.Groups["fnprop"].Value : match.Groups["eqprop"].Value;
                var quoted = isStartsWith ? match.Groups["fnvalue"].Value : match.Groups["eqvalue"].Value;
                var value = quoted.Replace("''", "'", StringComparison.Ordinal);
                if (!collection.AllProperties.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    error = GraphErrors.BadRequest(
                        $"Could not find a property named '{name}' on type '{collection.EntityType}'.");
                    return null;
                }

                // Graph refuses a function or operator the property does not support, and an empty prefix.
                var property = collection.Property(name, isStartsWith ? Supports.StartsWith : Supports.Eq);
                if (property is null || (isStartsWith && value.Length == 0))
                {
                    error = GraphErrors.UnsupportedQuery(
                        $"Unsupported or invalid query filter clause specified for property '{name}' "
                        + $"of resource '{collection.ResourceName}'.");
                    return null;
                }

                groups[^1].Add(new Clause(property, value, isStartsWith));
                rest = rest[match.Length..];
                if (rest.Length == 0)
                {
                    break;
                }

                var connector = ConnectorRegex().Match(rest);
                if (!connector.Success)
                {
                    error = GraphErrors.BadRequest(
                        $"Invalid filter clause: expected 'and' or 'or' near '{Truncate(rest)}'");
                    return null;
                }

                if (connector.Groups[1].Value.Equals("or", StringComparison.OrdinalIgnoreCase))
                {
                    groups.Add([]);
                }

                rest = rest[connector.Length..];
            }

            error = null;
            return new Filter(groups);
        }

        // startswith(property,'value') or property eq 'value'; '' inside the quotes is a quote.
        [GeneratedRegex(
            @"^\s*(?:(?<fn>startswith)\(\s*(?<fnprop>\w+)\s*,\s*'(?<fnvalue>(?:[^']|'')*)'\s*\)"
            + @"|(?<eqprop>\w+)\s+eq\s+'(?<eqvalue>(?:[^']|'')*)')\s*",
            RegexOptions.IgnoreCase)]
        private static partial Regex ClauseRegex();

        [GeneratedRegex(@"^(and|or)\s+", RegexOptions.IgnoreCase)]
        private static partial Regex ConnectorRegex();
    }

    /// <summary>
    /// "property:text" clauses joined by AND or OR (upper case, outside the quotes; AND binds tighter). A display name
    /// matches when one of its words starts with the text, any other property when it starts with the text.
    /// </summary>
    private sealed partial class Search(List<List<(string Property, string Text)>> anyOf)
    {
        public bool Matches(Dictionary<string, object?> entity) => anyOf.Any(all => all.All(c =>
            entity.GetValueOrDefault(c.Property)?.ToString() is { } actual
            && (c.Property == "displayName"
                ? actual.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Any(word => word.StartsWith(c.Text, StringComparison.OrdinalIgnoreCase))
                : actual.StartsWith(c.Text, StringComparison.OrdinalIgnoreCase))));

        public static Search? Parse(string text, GraphCollection collection, out IResult? error)
        {
            var groups = new List<List<(string, string)>> { new() };
            var rest = text.Trim();
            while (true)
            {
                var match = ClauseRegex().Match(rest);
                var property = match.Success ? collection.Property(match.Groups["prop"].Value, Supports.Search) : null;
                if (property is null)
                {
                    error = match.Success
                        ? GraphErrors.UnsupportedQuery(
                            $"Unsupported property '{match.Groups["prop"].Value}' in $search "
                            + $"for '{collection.ResourceName}'.")
                        : GraphErrors.BadRequest(
                            $"Syntax error in $search near '{Truncate(rest)}': "
                            + "expected \"property:text\" clauses joined by AND or OR.");
                    return null;
                }

                groups[^1].Add((property, match.Groups["text"].Value));
                rest = rest[match.Length..];
                if (rest.Length == 0)
                {
                    error = null;
                    return new Search(groups);
                }

                if (ConnectorRegex().Match(rest) is not { Success: true } connector)
                {
                    error = GraphErrors.BadRequest(
                        $"Syntax error in $search near '{Truncate(rest)}': expected AND or OR.");
                    return null;
                }

                if (connector.Groups[1].Value == "OR")
                {
                    groups.Add([]);
                }

                rest = rest[connector.Length..];
            }
        }

        [GeneratedRegex("^\\s*\"(?<prop>\\w+):(?<text>[^\"]+)\"\\s*")]
        private static partial Regex ClauseRegex();

        [GeneratedRegex(@"^(AND|OR)\s+")]
        private static partial Regex ConnectorRegex();
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private sealed record Clause(string Property, string Value, bool IsStartsWith)
    {
        // Graph compares directory strings case-insensitively.
        public bool Matches(Dictionary<string, object?> entity) =>
            entity.GetValueOrDefault(Property)?.ToString() is { } actual
            && (IsStartsWith
                ? actual.StartsWith(Value, StringComparison.OrdinalIgnoreCase)
                : actual.Equals(Value, StringComparison.OrdinalIgnoreCase));
    }
}
