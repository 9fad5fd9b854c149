using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>Finds resources in compiled ARM JSON, in nested deployments too (both resource-list and symbolic-name forms).</summary>
internal static class TemplateQuery
{
    public static IEnumerable<JsonObject> Resources(JsonObject template)
    {
        var resources = template["resources"];
        var list = resources switch
        {
            JsonArray array => array.Select(r => r!.AsObject()),
            JsonObject map => map.Select(kv => kv.Value!.AsObject()),
            _ => [],
        };
        foreach (var resource in list)
        {
            yield return resource;
            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    public static IEnumerable<JsonObject> OfType(JsonObject template, string type) =>
        Resources(template).Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public static JsonObject Single(JsonObject template, string type) => Assert.Single(OfType(template, type));
}
