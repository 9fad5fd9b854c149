namespace FunctionApp.Identity;

// Event ids 1000-1099. Scopes, expiry and credential names only: never a token.
internal static partial class IdentityLog
{
    [LoggerMessage(1000, LogLevel.Information, "Using {Credential} for outgoing calls")]
    public static partial void CredentialSelected(ILogger logger, string credential);

    [LoggerMessage(1001, LogLevel.Debug, "Acquired a token for {Scope}, expires {ExpiresOn:O}, refresh from {RefreshOn:O}")]
    public static partial void TokenAcquired(ILogger logger, string scope, DateTimeOffset expiresOn, DateTimeOffset refreshOn);

    [LoggerMessage(1002, LogLevel.Warning, "Background refresh of the token for {Scope} failed; the cached token stays in use until {ExpiresOn:O}")]
    public static partial void BackgroundRefreshFailed(ILogger logger, string scope, DateTimeOffset expiresOn, Exception exception);
}
