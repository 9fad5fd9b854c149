using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using TestSupport;
using YamlDotNet.Serialization;
using static Infra.Tests.TemplateQuery;

namespace Infra.Tests;

/// <summary>
/// azure.yaml as the Azure Developer CLI reads it, offline: valid against azd's published schema
/// (../shared/azd-schema), each service's project present, and each service matched by exactly one resource tagged
/// azd-service-name in the compiled template, which is how azd finds where to deploy it.
/// </summary>
public sealed class AzureYamlTests(BicepFixture bicep) : IClassFixture<BicepFixture>
{
    private static readonly JsonObject AzureYaml = Load();

    [Fact]
    public async Task AzureYaml_IsValidAgainstAzdsSchema()
    {
        // The copy beside the repository (offline, as here), else the schema's own address, as the Bicep tests fall
        // back to the registry for the Graph types.
        var schemaFile = Path.Combine(Repository.Root, "..", "shared", "azd-schema", "v1.0", "azure.yaml.json");
        using var http = new HttpClient();
        var schema = JsonSchema.FromText(File.Exists(schemaFile)
            ? await File.ReadAllTextAsync(schemaFile)
            : await http.GetStringAsync("https://raw.githubusercontent.com/Azure/azure-dev/main/schemas/v1.0/azure.yaml.json"));

        var result = schema.Evaluate(JsonDocument.Parse(AzureYaml.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join(Environment.NewLine, (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Fact]
    public void EachService_HasItsProjectAndOneTaggedResource()
    {
        var services = AzureYaml["services"]!.AsObject();
        var tagged = Resources(bicep.Template)
            .Select(r => (string?)r["tags"]?["azd-service-name"])
            .Where(t => t is not null)
            .ToList();

        Assert.Equal(["functionapp", "protectedapi"], services.Select(s => s.Key).Order());
        Assert.All(services, service =>
        {
            var project = Path.Combine(Repository.Root, (string)service.Value!["project"]!);
            Assert.Single(Directory.GetFiles(project, "*.csproj"));
            Assert.Single(tagged, t => t == service.Key);
        });
        Assert.All(tagged, t => Assert.Contains(t!, services.Select(s => s.Key)));
        Assert.Equal("function", (string?)services["functionapp"]!["host"]);
        Assert.Equal("appservice", (string?)services["protectedapi"]!["host"]);
    }

    private static JsonObject Load()
    {
        var yaml = new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(Path.Combine(Repository.Root, "azure.yaml")));
        return JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(yaml))!.AsObject();
    }
}
