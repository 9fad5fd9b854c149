using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace FunctionApp.Http;

/// <summary>
/// Reads an HTTP trigger's query string strictly. Every parameter the function reads is allowed; anything else, a
/// repeated parameter, an out-of-range number or an oversized or control-character value becomes one 400
/// ValidationProblem naming the first few parameters and counting the rest.
/// </summary>
internal sealed class QueryReader(IQueryCollection query)
{
    // Azure sends the function key as ?code=; it is the host's business, never the function's.
    private const string FunctionKeyParameter = "code";

    // Enough to act on; naming all of a thousand junk parameters would make the answer many times the request.
    private const int MaxNamed = 5;

    private readonly List<string> _read = [];
    private readonly OrderedDictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public int Int(string name, int defaultValue, int min, int max)
    {
        if (Single(name) is not { } text)
        {
            return defaultValue;
        }

        var isNumber = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value);
        if (!isNumber || value < min || value > max)
        {
            Reject(name, $"'{name}' must be a whole number from {min} to {max}; got '{Printable(text)}'.");
            return defaultValue;
        }

        return value;
    }

    public string? Text(string name, int maxLength)
    {
        var text = Single(name);
        if (text is not null && (text.Length == 0 || text.Length > maxLength || text.Any(char.IsControl)))
        {
            Reject(name, $"'{name}' must be 1 to {maxLength} printable characters.");
            return null;
        }

        return text;
    }

    /// <summary>
    /// One value from <paramref name="allowed"/> (any case), required; returned as <paramref name="allowed"/>
    /// spells it.
    /// </summary>
    public string? OneOf(string name, IReadOnlyList<string> allowed)
    {
        string? known = null;
        if (Text(name, 64) is { } text)
        {
            known = allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
        }

        if (known is null)
        {
            Reject(name, $"'{name}' must be one of: {string.Join(", ", allowed)}.");
        }

        return known;
    }

    /// <summary>
    /// A comma-separated list whose items come from <paramref name="allowed"/> (any case); null when absent.
    /// </summary>
    public IReadOnlyList<string>? List(string name, IReadOnlyList<string> allowed)
    {
        if (Text(name, 1000) is not { } text)
        {
            return null;
        }

        var items = new List<string>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var known = allowed.FirstOrDefault(a => string.Equals(a, item, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                Reject(name, $"'{Printable(item)}' is not allowed in '{name}'. Allowed: {string.Join(", ", allowed)}.");
                return null;
            }

            if (!items.Contains(known))
            {
                items.Add(known);
            }
        }

        if (items.Count == 0)
        {
            Reject(name, $"'{name}' must list at least one of: {string.Join(", ", allowed)}.");
            return null;
        }

        return items;
    }

    /// <summary>Records a problem with a parameter; the first one recorded for it stands.</summary>
    public void Reject(string name, string message) => _errors.TryAdd(Printable(name), [message]);

    /// <summary>The 400 answer naming the bad, unknown or repeated parameters; null when the query is valid.</summary>
    public IResult? ValidationProblem()
    {
        var allowed = string.Join(", ", _read.Distinct());
        foreach (var name in query.Keys.Where(name => name != FunctionKeyParameter && !_read.Contains(name)))
        {
            Reject(name, $"Unknown query parameter '{Printable(name)}'. Allowed: {allowed}.");
        }

        if (_errors.Count == 0)
        {
            return null;
        }

        var named = _errors.Take(MaxNamed).ToDictionary();
        var more = _errors.Count > MaxNamed ? $" and {_errors.Count - MaxNamed} more" : "";
        return Results.ValidationProblem(
            named,
            detail: $"Invalid query parameter(s): {string.Join(", ", named.Keys)}{more}.",
            title: "Invalid request");
    }

    private string? Single(string name)
    {
        _read.Add(name);
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count > 1)
        {
            Reject(name, $"'{name}' is given {values.Count} times; give it once.");
            return null;
        }

        return values.ToString();
    }

    // Echoed input must not carry control characters or unbounded length into the answer, the errors' keys included;
    // a control character shows as '?' so that a name made only of them still reads as something.
    private static string Printable(string text)
    {
        var clean = new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length <= 64 ? clean : clean + "…";
    }
}
