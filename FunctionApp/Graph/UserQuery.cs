namespace FunctionApp.Graph;

/// <summary>What GET /api/graph/users may ask of Graph.</summary>
public sealed record UserQuery(int Top, IReadOnlyList<string> Select, string? DisplayNamePrefix, int Pages)
{
    /// <summary>The user properties a caller may select: directory basics, no contact or security details.</summary>
    public static readonly IReadOnlyList<string> SelectableFields =
    [
        "id",
        "displayName",
        "userPrincipalName",
        "mail",
        "givenName",
        "surname",
        "jobTitle",
        "department",
        "officeLocation",
    ];

    public static readonly IReadOnlyList<string> DefaultSelect = ["id", "displayName", "userPrincipalName", "mail"];

    /// <summary>The OData filter for the display-name prefix; a quote in an OData string literal is doubled.</summary>
    public string? Filter()
    {
        if (DisplayNamePrefix is null)
        {
            return null;
        }

        var literal = DisplayNamePrefix.Replace("'", "''", StringComparison.Ordinal);
        return $"startswith(displayName,'{literal}')";
    }
}
