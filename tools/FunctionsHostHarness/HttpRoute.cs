using System.Text.Json;
using FunctionsHostHarness.Rpc;
using Microsoft.AspNetCore.WebUtilities;

namespace FunctionsHostHarness;

/// <summary>
/// An HTTP-triggered function's route as the host matches it: host.json's routePrefix, then the binding's route
/// template, literal segments compared without case, <c>{name}</c> taking one segment. Enough for the routes a
/// Function app declares; not ASP.NET Core's full template syntax (constraints, catch-alls, optional segments).
/// </summary>
internal sealed record HttpRoute(string FunctionName, string TriggerName, string[] Segments, string[] Methods)
{
    public static IReadOnlyList<HttpRoute> All(IEnumerable<RpcFunctionMetadata> functions, string appDirectory)
    {
        var prefix = RoutePrefix(appDirectory);
        return [.. from function in functions
                   from binding in function.RawBindings.Select(b => JsonDocument.Parse(b).RootElement)
                   where IsHttpTrigger(binding)
                   select new HttpRoute(
                       function.Name,
                       binding.GetProperty("name").GetString()!,
                       Split($"{prefix}/{RouteTemplate(binding, function.Name)}"),
                       AllowedMethods(binding))];
    }

    /// <summary>The route values when <paramref name="path"/> matches, else null.</summary>
    public Dictionary<string, string>? Match(string method, string path)
    {
        var parts = Split(Uri.UnescapeDataString(path));
        var methodAllowed = Methods.Length == 0 || Methods.Contains(method, StringComparer.OrdinalIgnoreCase);
        if (parts.Length != Segments.Length || !methodAllowed)
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

    /// <summary>
    /// The invocation the host sends alongside the forwarded request: an empty http input (the body travels over
    /// HTTP), and as binding data the route values and query values (not the function key) as strings and the query
    /// and the caller's headers as JSON. Non-binding parameters such as a route value bind from it.
    /// </summary>
    public InvocationRequest Invocation(
        string functionId, Dictionary<string, string> routeValues, HttpRequestMessage request)
    {
        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = functionId,
            InputData = { new ParameterBinding { Name = TriggerName, Data = new TypedData { Http = new RpcHttp() } } },
        };
        var query = QueryHelpers.ParseQuery(request.RequestUri!.Query);
        var bindingData = query
            .Where(q => q.Key != "code")
            .Select(q => (q.Key, q.Value.ToString()))
            .Concat(routeValues.Select(r => (r.Key, r.Value)));
        foreach (var (name, value) in bindingData)
        {
            invocation.TriggerMetadata[name] = new TypedData { String = value };
        }

        var queryJson = JsonSerializer.Serialize(query.ToDictionary(q => q.Key, q => q.Value.ToString()));
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value));
        var headersJson = JsonSerializer.Serialize(headers);
        invocation.TriggerMetadata["Query"] = new TypedData { Json = queryJson };
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = headersJson };
        return invocation;
    }

    private static bool IsHttpTrigger(JsonElement binding) =>
        binding.GetProperty("type").GetString()!.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    // Without a route, the host serves a function under its name.
    private static string? RouteTemplate(JsonElement binding, string functionName) =>
        binding.TryGetProperty("route", out var route) ? route.GetString() : functionName;

    // No methods listed means every method.
    private static string[] AllowedMethods(JsonElement binding)
    {
        if (!binding.TryGetProperty("methods", out var methods))
        {
            return [];
        }

        return [.. methods.EnumerateArray().Select(m => m.GetString()!)];
    }

    private static string RoutePrefix(string appDirectory)
    {
        var hostJson = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(hostJson))
        {
            return "api";
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJson));
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString()!
            : "api";
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
