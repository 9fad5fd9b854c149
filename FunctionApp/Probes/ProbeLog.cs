namespace FunctionApp.Probes;

// Event ids 4000-4099. One structured line per target and run; never a token.
internal static partial class ProbeLog
{
    [LoggerMessage(4000, LogLevel.Information,
        "Probe {Target} succeeded: audience {Audience}, roles [{Roles}], token expires {ExpiresOn:O}, {DurationMs} ms")]
    public static partial void Succeeded(ILogger logger, string target, string audience, string roles, DateTimeOffset expiresOn, long durationMs);

    [LoggerMessage(4001, LogLevel.Error,
        "Probe {Target} failed with {Status} {Title}: {Detail} (audience {Audience}, roles [{Roles}], {DurationMs} ms)")]
    public static partial void Failed(ILogger logger, string target, int status, string title, string detail, string audience, string roles, long durationMs);

    [LoggerMessage(4002, LogLevel.Warning, "The probe timer is past due: the previous run or the host was delayed")]
    public static partial void PastDue(ILogger logger);

    [LoggerMessage(4003, LogLevel.Information, "Probe run finished: {Healthy} of {Total} target(s) healthy")]
    public static partial void RunFinished(ILogger logger, int healthy, int total);
}
