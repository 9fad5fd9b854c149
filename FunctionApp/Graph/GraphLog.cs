namespace FunctionApp.Graph;

// Event ids 2000-2099.
internal static partial class GraphLog
{
    [LoggerMessage(2000, LogLevel.Information, "Listed {Count} users from Microsoft Graph in {Pages} page(s)")]
    public static partial void UsersListed(ILogger logger, int count, int pages);

    [LoggerMessage(2001, LogLevel.Warning, "Microsoft Graph call failed with {Status}: {Title}")]
    public static partial void CallFailed(ILogger logger, int status, string title);
}
