using FunctionApp.Http;
using Microsoft.AspNetCore.Http;

namespace FunctionApp.Graph;

/// <summary>What GET /api/graph/users may ask of Graph, validated from its query string.</summary>
public sealed record UserQuery(int Top, IReadOnlyList<string> Select, string? DisplayNamePrefix, int Pages)
{
    /// <summary>The user properties a caller may select: directory basics, no contact or security details.</summary>
    public static readonly IReadOnlyList<string> SelectableFields =
        ["id", "displayName", "userPrincipalName", "mail", "givenName", "surname", "jobTitle", "department", "officeLocation"];

    public static readonly IReadOnlyList<string> DefaultSelect = ["id", "displayName", "userPrincipalName", "mail"];

    public const int MaxPages = 10;

    /// <summary>A query, or the 400 problem that names every bad parameter.</summary>
    public static (UserQuery? Query, IResult? Problem) Parse(IQueryCollection query)
    {
        var reader = new QueryReader(query, "top", "select", "filter", "pages");
        var parsed = new UserQuery(
            reader.Int("top", defaultValue: 25, min: 1, max: 999),
            reader.List("select", SelectableFields) ?? DefaultSelect,
            reader.Text("filter", maxLength: 64),
            reader.Int("pages", defaultValue: 1, min: 1, max: MaxPages));
        return reader.IsValid ? (parsed, null) : (null, reader.Problem());
    }

    /// <summary>The OData filter for the display-name prefix, with the value's quotes escaped as OData requires.</summary>
    public string? ODataFilter => DisplayNamePrefix is null ? null : $"startswith(displayName,'{DisplayNamePrefix.Replace("'", "''", StringComparison.Ordinal)}')";
}
