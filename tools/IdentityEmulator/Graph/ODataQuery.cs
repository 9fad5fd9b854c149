using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IdentityEmulator.Graph;

/// <summary>A Graph collection's shape: its property names, default $select and filterable properties.</summary>
internal sealed record GraphCollection(string Name, string EntityType, IReadOnlyList<string> DefaultSelect, IReadOnlyList<string> AllProperties, IReadOnlyList<string> Filterable);

/// <summary>
/// The OData query options this emulator supports ($top, $select, $filter with startswith/eq joined by and/or,
/// $count, $skiptoken), applied to entities already projected to property dictionaries.
/// </summary>
internal static partial class ODataQuery
{
    public const int MaxTop = 999;
    private const int DefaultTop = 100;

    public static IResult List(HttpContext context, GraphCollection collection, IEnumerable<Dictionary<string, object?>> entities)
    {
        var query = context.Request.Query;

        var top = DefaultTop;
        if (query.TryGetValue("$top", out var topText)
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaxTop))
        {
            return GraphErrors.BadRequest($"Invalid page size specified: '{topText}'. Must be between 1 and {MaxTop} inclusive.");
        }

        var skip = 0;
        if (query.TryGetValue("$skiptoken", out var skipToken) && !TryDecodeSkipToken(skipToken.ToString(), out skip))
        {
            return GraphErrors.BadRequest("Invalid $skiptoken.");
        }

        if (Select(query["$select"], collection) is not { } select)
        {
            var unknown = query["$select"].ToString().Split(',').Select(p => p.Trim()).First(p => !collection.AllProperties.Contains(p, StringComparer.OrdinalIgnoreCase));
            return GraphErrors.BadRequest($"Could not find a property named '{unknown}' on type '{collection.EntityType}'.");
        }

        var matching = entities;
        if (query.TryGetValue("$filter", out var filterText))
        {
            if (Filter.TryParse(filterText.ToString(), collection.Filterable, out var filter, out var error))
            {
                matching = matching.Where(filter.Matches);
            }
            else
            {
                return GraphErrors.BadRequest($"Invalid filter clause: {error}");
            }
        }

        var wantsCount = string.Equals(query["$count"], "true", StringComparison.OrdinalIgnoreCase);
        if (wantsCount && !string.Equals(context.Request.Headers["ConsistencyLevel"], "eventual", StringComparison.OrdinalIgnoreCase))
        {
            // Graph's advanced queries (here $count) need the ConsistencyLevel: eventual header.
            return GraphErrors.UnsupportedQuery(
                "$count requires the request header 'ConsistencyLevel: eventual'.");
        }

        var all = matching.ToList();
        var page = all.Skip(skip).Take(top).Select(e => Project(e, select)).ToList();
        var body = new Dictionary<string, object?> { ["@odata.context"] = $"https://graph.microsoft.com/v1.0/$metadata#{collection.Name}" };
        if (wantsCount)
        {
            body["@odata.count"] = all.Count;
        }

        if (skip + top < all.Count)
        {
            body["@odata.nextLink"] = NextLink(context, skip + top);
        }

        body["value"] = page;
        return Results.Json(body);
    }

    public static IResult Single(HttpContext context, GraphCollection collection, Dictionary<string, object?> entity)
    {
        if (Select(context.Request.Query["$select"], collection) is not { } select)
        {
            return GraphErrors.BadRequest($"Invalid $select for type '{collection.EntityType}'.");
        }

        var body = Project(entity, select);
        body["@odata.context"] = $"https://graph.microsoft.com/v1.0/$metadata#{collection.Name}/$entity";
        return Results.Json(body);
    }

    private static List<string>? Select(string? selectText, GraphCollection collection)
    {
        if (string.IsNullOrWhiteSpace(selectText))
        {
            return [.. collection.DefaultSelect];
        }

        var selected = new List<string>();
        foreach (var requested in selectText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var property = collection.AllProperties.FirstOrDefault(p => string.Equals(p, requested, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return null;
            }

            selected.Add(property);
        }

        // As Graph: only what was selected, not even the id.
        return selected;
    }

    private static Dictionary<string, object?> Project(Dictionary<string, object?> entity, List<string> select) =>
        select.ToDictionary(p => p, p => entity.GetValueOrDefault(p));

    private static string NextLink(HttpContext context, int offset)
    {
        var request = context.Request;
        var query = request.Query.Where(q => q.Key != "$skiptoken").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}");
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset}"));
        return $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{string.Join('&', query.Append($"$skiptoken={Uri.EscapeDataString(token)}"))}";
    }

    private static bool TryDecodeSkipToken(string token, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("offset:", StringComparison.Ordinal)
                && int.TryParse(text["offset:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>startswith(p,'v') and p eq 'v' clauses; "and" binds tighter than "or", as in OData.</summary>
    private sealed partial class Filter(List<List<Clause>> anyOf)
    {
        public bool Matches(Dictionary<string, object?> entity) => anyOf.Any(all => all.All(c => c.Matches(entity)));

        public static bool TryParse(string text, IReadOnlyList<string> filterable, out Filter filter, out string error)
        {
            filter = new Filter([]);
            var groups = new List<List<Clause>> { new() };
            var rest = text.Trim();
            while (true)
            {
                var match = ClauseRegex().Match(rest);
                if (!match.Success)
                {
                    error = $"unsupported expression near '{Truncate(rest)}' (supported: startswith(property,'value'), property eq 'value', and, or)";
                    return false;
                }

                var isStartsWith = match.Groups["fn"].Success;
                var property = isStartsWith ? match.Groups["fnprop"].Value : match.Groups["eqprop"].Value;
                var value = (isStartsWith ? match.Groups["fnvalue"].Value : match.Groups["eqvalue"].Value).Replace("''", "'", StringComparison.Ordinal);
                var known = filterable.FirstOrDefault(p => string.Equals(p, property, StringComparison.OrdinalIgnoreCase));
                if (known is null)
                {
                    error = $"property '{property}' does not support filtering here (supported: {string.Join(", ", filterable)})";
                    return false;
                }

                groups[^1].Add(new Clause(known, value, isStartsWith));
                rest = rest[match.Length..];
                if (rest.Length == 0)
                {
                    break;
                }

                var connector = ConnectorRegex().Match(rest);
                if (!connector.Success)
                {
                    error = $"expected 'and' or 'or' near '{Truncate(rest)}'";
                    return false;
                }

                if (connector.Groups[1].Value.Equals("or", StringComparison.OrdinalIgnoreCase))
                {
                    groups.Add([]);
                }

                rest = rest[connector.Length..];
            }

            filter = new Filter(groups);
            error = "";
            return true;
        }

        private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

        [GeneratedRegex(@"^\s*(?:(?<fn>startswith)\(\s*(?<fnprop>\w+)\s*,\s*'(?<fnvalue>(?:[^']|'')*)'\s*\)|(?<eqprop>\w+)\s+eq\s+'(?<eqvalue>(?:[^']|'')*)')\s*", RegexOptions.IgnoreCase)]
        private static partial Regex ClauseRegex();

        [GeneratedRegex(@"^(and|or)\s+", RegexOptions.IgnoreCase)]
        private static partial Regex ConnectorRegex();
    }

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
