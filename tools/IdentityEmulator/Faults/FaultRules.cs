using System.Text.Json;

namespace IdentityEmulator.Faults;

/// <summary>Reads fault rules from JSON (a file given with --faults, or an admin request body).</summary>
internal static class FaultRules
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static async Task<IReadOnlyList<FaultRule>> ReadAsync(Stream json, CancellationToken cancellationToken)
    {
        var options = new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };
        using var document = await JsonDocument.ParseAsync(json, options, cancellationToken);
        return document.RootElement.ValueKind == JsonValueKind.Array
            ? document.RootElement.Deserialize<List<FaultRule>>(JsonOptions) ?? []
            : [document.RootElement.Deserialize<FaultRule>(JsonOptions) ?? throw new JsonException("null rule")];
    }
}
