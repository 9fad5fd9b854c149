namespace FunctionApp.Graph;

/// <summary>A page (or several) of users, with only the selected properties.</summary>
public sealed record UserPage(
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Users,
    int Pages,
    bool NextPageAvailable);
