using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace FunctionApp.Http;

/// <summary>
/// Reads an HTTP trigger's query string strictly: unknown or repeated parameters, out-of-range numbers and
/// oversized or control-character values become one 400 ValidationProblem that names each parameter.
/// </summary>
internal sealed class QueryReader
{
    // Azure sends the function key as ?code=; it is the host's business, never the function's.
    private const string FunctionKeyParameter = "code";

    private readonly IQueryCollection _query;
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public QueryReader(IQueryCollection query, params string[] known)
    {
        _query = query;
        foreach (var (name, values) in query)
        {
            if (string.Equals(name, FunctionKeyParameter, StringComparison.Ordinal))
            {
                continue;
            }

            if (!known.Contains(name, StringComparer.Ordinal))
            {
                Fail(name, $"Unknown query parameter '{Printable(name)}'. Allowed: {string.Join(", ", known)}.");
            }
            else if (values.Count > 1)
            {
                Fail(name, $"'{name}' is given {values.Count} times; give it once.");
            }
        }
    }

    public bool IsValid => _errors.Count == 0;

    public IResult Problem() => Results.ValidationProblem(
        _errors,
        detail: $"Invalid query parameter(s): {string.Join(", ", _errors.Keys.Select(Printable))}.",
        title: "Invalid request");

    public int Int(string name, int defaultValue, int min, int max)
    {
        if (Single(name) is not { } text)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Fail(name, $"'{name}' must be a whole number from {min} to {max}; got '{Printable(text)}'.");
            return defaultValue;
        }

        return value;
    }

    public string? Text(string name, int maxLength)
    {
        if (Single(name) is not { } text)
        {
            return null;
        }

        if (text.Length == 0 || text.Length > maxLength || text.Any(char.IsControl))
        {
            Fail(name, $"'{name}' must be 1 to {maxLength} printable characters.");
            return null;
        }

        return text;
    }

    /// <summary>A comma-separated list whose items must come from <paramref name="allowed"/>; canonical spelling returned.</summary>
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
                Fail(name, $"'{Printable(item)}' is not allowed in '{name}'. Allowed: {string.Join(", ", allowed)}.");
                return null;
            }

            if (!items.Contains(known))
            {
                items.Add(known);
            }
        }

        if (items.Count == 0)
        {
            Fail(name, $"'{name}' must list at least one of: {string.Join(", ", allowed)}.");
            return null;
        }

        return items;
    }

    /// <summary>Records a problem with a parameter that only the caller can judge (an unknown name, say).</summary>
    public void Reject(string name, string message)
    {
        if (!_errors.ContainsKey(name))
        {
            Fail(name, message);
        }
    }

    private string? Single(string name) =>
        _errors.ContainsKey(Printable(name)) || !_query.TryGetValue(name, out var values) ? null : values.ToString();

    // The errors key is echoed input too, so it gets the same treatment as the messages.
    private void Fail(string name, string message) => _errors[Printable(name)] = [message];

    // Echoing hostile input back must not carry control characters or unbounded length into the response; a control
    // character shows as '?' so that a name made only of them still reads as something.
    private static string Printable(string text)
    {
        // The usual case, a known parameter name, is returned as it is: Single asks on every lookup.
        if (text.Length <= 64 && !text.Any(char.IsControl))
        {
            return text;
        }

        var clean = string.Create(Math.Min(text.Length, 64), text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
        return text.Length <= 64 ? clean : clean + "…";
    }
}
