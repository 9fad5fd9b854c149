using System.Text.Json;

namespace FunctionsHostHarness;

/// <summary>
/// An HTTP-triggered function's route as the host matches it: host.json's routePrefix, then the binding's route
/// template, literal segments compared without case, <c>{name}</c> taking one segment. Enough for the routes a
/// Function app declares; not ASP.NET Core's full template syntax (constraints, catch-alls, optional segments).
/// </summary>
internal sealed record HttpRoute(string FunctionName, string TriggerName, string[] Segments, string[] Methods)
{
    public static HttpRoute? FromBinding(string functionName, JsonElement binding, string routePrefix)
    {
        if (!binding.GetProperty("type").GetString()!.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var route = binding.TryGetProperty("route", out var value) ? value.GetString() : null;
        var template = $"{routePrefix}/{route ?? functionName}";
        var methods = binding.TryGetProperty("methods", out var list) ? list.EnumerateArray().Select(m => m.GetString()!).ToArray() : [];
        return new HttpRoute(functionName, binding.GetProperty("name").GetString()!, Split(template), methods);
    }

    /// <summary>The route values when <paramref name="path"/> matches, else null.</summary>
    public Dictionary<string, string>? Match(string method, string path)
    {
        var parts = Split(Uri.UnescapeDataString(path));
        if (parts.Length != Segments.Length || (Methods.Length > 0 && !Methods.Contains(method, StringComparer.OrdinalIgnoreCase)))
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < parts.Length; i++)
        {
            if (Segments[i] is ['{', .. var name, '}'])
            {
                values[name] = parts[i];
            }
            else if (!Segments[i].Equals(parts[i], StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return values;
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
