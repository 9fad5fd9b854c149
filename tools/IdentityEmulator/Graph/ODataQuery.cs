using System.Globalization;
using System.Text;

namespace IdentityEmulator.Graph;

/// <summary>What Graph lets a query do with one property of a collection.</summary>
[Flags]
internal enum Supports
{
    None = 0,
    Eq = 1,
    StartsWith = 2,
    OrderBy = 4,

    /// <summary>$orderby only as an advanced query (ConsistencyLevel: eventual and $count=true).</summary>
    AdvancedOrderBy = 8,
    Search = 16,
}

/// <summary>
/// A Graph collection's shape: its property names, default $select and what each property supports in a query.
/// </summary>
internal sealed record GraphCollection(
    string Name,
    string EntityType,
    IReadOnlyList<string> DefaultSelect,
    IReadOnlyList<string> AllProperties,
    IReadOnlyDictionary<string, Supports> Queries)
{
    /// <summary>The resource name Graph's query errors use: "User" for microsoft.graph.user.</summary>
    public string ResourceName
    {
        get
        {
            var name = EntityType[(EntityType.LastIndexOf('.') + 1)..];
            return char.ToUpperInvariant(name[0]) + name[1..];
        }
    }

    public string? Property(string name, Supports needed) =>
        Queries.FirstOrDefault(q => IsNamed(q.Key, name) && (q.Value & needed) != 0).Key;

    private static bool IsNamed(string property, string name) =>
        string.Equals(property, name, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The OData query options of Graph's directory collections as Graph applies them: $top, $select, $filter (eq and
/// startswith joined by and/or, on the properties that support them), $orderby, $search and $count (the last two, and
/// $orderby with $filter, only with ConsistencyLevel: eventual), $skiptoken paging; $skip and $expand are refused.
/// </summary>
internal static partial class ODataQuery
{
    public const int MaxTop = 999;
    private const int DefaultTop = 100;

    public static IResult List(
        HttpContext context, GraphCollection collection, IEnumerable<Dictionary<string, object?>> entities)
    {
        var query = context.Request.Query;
        var eventual = string.Equals(
            context.Request.Headers["ConsistencyLevel"], "eventual", StringComparison.OrdinalIgnoreCase);
        // Without ConsistencyLevel: eventual, Graph silently ignores $count=true
        // (aad-advanced-queries, error handling).
        var wantsCount = eventual && string.Equals(query["$count"], "true", StringComparison.OrdinalIgnoreCase);

        var top = DefaultTop;
        if (query.TryGetValue("$top", out var topText)
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top)
                || top is < 1 or > MaxTop))
        {
            return GraphErrors.BadRequest(
                $"Invalid page size specified: '{topText}'. Must be between 1 and {MaxTop} inclusive.");
        }

        if (query.ContainsKey("$skip"))
        {
            return GraphErrors.BadRequest("'$skip' is not supported by the service.");
        }

        if (query.ContainsKey("$expand"))
        {
            // Graph expands navigation properties (a user's manager, memberOf); the emulator models none.
            return GraphErrors.UnsupportedQuery(
                $"The emulator does not model navigation properties, so it cannot $expand '{query["$expand"]}'.");
        }

        var skip = 0;
        if (query.TryGetValue("$skiptoken", out var skipToken) && !TryDecodeSkipToken(skipToken.ToString(), out skip))
        {
            return GraphErrors.BadRequest("Invalid $skiptoken.");
        }

        if (Select(query["$select"], collection) is not { } select)
        {
            var unknown = query["$select"].ToString()
                .Split(',')
                .Select(p => p.Trim())
                .First(p => !collection.AllProperties.Contains(p, StringComparer.OrdinalIgnoreCase));
            return GraphErrors.BadRequest(
                $"Could not find a property named '{unknown}' on type '{collection.EntityType}'.");
        }

        var matching = entities;
        if (query.TryGetValue("$filter", out var filterText))
        {
            if (Filter.Parse(filterText.ToString(), collection, out var filterError) is not { } filter)
            {
                return filterError!;
            }

            matching = matching.Where(filter.Matches);
        }

        if (query.TryGetValue("$search", out var searchText))
        {
            if (!eventual)
            {
                return GraphErrors.UnsupportedQuery(
                    "Request with $search query parameter only works through MSGraph with a special request header: "
                    + "'ConsistencyLevel: eventual'");
            }

            if (Search.Parse(searchText.ToString(), collection, out var searchError) is not { } search)
            {
                return searchError!;
            }

            matching = matching.Where(search.Matches);
        }

        if (query.TryGetValue("$orderby", out var orderByText))
        {
            var filtered = query.ContainsKey("$filter");
            if (OrderBy(orderByText.ToString(), collection, wantsCount, filtered, out var orderError) is not { } order)
            {
                return orderError!;
            }

            matching = order(matching);
        }

        // Server-driven paging: Graph may answer fewer than $top, with a nextLink to the rest.
        top = Math.Min(top, context.RequestServices.GetRequiredService<EmulatorState>().GraphPageSize);
        var all = matching.ToList();
        var page = all.Skip(skip).Take(top).Select(e => Project(e, select)).ToList();
        var body = new Dictionary<string, object?>
        {
            ["@odata.context"] = $"https://graph.microsoft.com/v1.0/$metadata#{collection.Name}",
        };
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

    /// <summary>
    /// One property, ascending or descending. Sorting a filtered list, or by a property only advanced queries sort,
    /// needs ConsistencyLevel: eventual and $count=true.
    /// </summary>
    private static Func<IEnumerable<Dictionary<string, object?>>, IEnumerable<Dictionary<string, object?>>>? OrderBy(
        string text, GraphCollection collection, bool advanced, bool filtered, out IResult? error)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var descending = parts.Length == 2 && parts[1].Equals("desc", StringComparison.OrdinalIgnoreCase);
        error = null;
        var ascending = parts.Length == 2 && parts[1].Equals("asc", StringComparison.OrdinalIgnoreCase);
        if (parts.Length is < 1 or > 2 || (parts.Length == 2 && !descending && !ascending))
        {
            error = GraphErrors.BadRequest($"Invalid $orderby: '{text}'. Expected a property name, then asc or desc.");
            return null;
        }

        var sortable = advanced ? Supports.OrderBy | Supports.AdvancedOrderBy : Supports.OrderBy;
        var property = collection.Property(parts[0], sortable);
        if (property is null || (filtered && !advanced))
        {
            error = collection.Property(parts[0], Supports.OrderBy | Supports.AdvancedOrderBy) is null
                ? GraphErrors.UnsupportedQuery(
                    $"Unsupported sort property '{parts[0]}' for '{collection.ResourceName}'.")
                : GraphErrors.UnsupportedQuery("Sorting not supported for current query.");
            return null;
        }

        string? Key(Dictionary<string, object?> entity) => entity.GetValueOrDefault(property)?.ToString();
        return descending
            ? entities => entities.OrderByDescending(Key, StringComparer.OrdinalIgnoreCase)
            : entities => entities.OrderBy(Key, StringComparer.OrdinalIgnoreCase);
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
        var names = selectText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var requested in names)
        {
            var property = collection.AllProperties
                .FirstOrDefault(p => string.Equals(p, requested, StringComparison.OrdinalIgnoreCase));
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
        var query = request.Query
            .Where(q => q.Key != "$skiptoken")
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}");
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset}"));
        var parameters = string.Join('&', query.Append($"$skiptoken={Uri.EscapeDataString(token)}"));
        return $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{parameters}";
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
}
