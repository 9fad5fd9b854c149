using System.Globalization;

namespace FunctionApp.Problems;

/// <summary>
/// How long a caller of a throttled or unavailable dependency should wait: the dependency's own Retry-After when it
/// gave one, else the client's own estimate, in whole seconds and never more than two minutes (a longer wait is better
/// spent on a fresh attempt than on a figure that will be stale by then).
/// </summary>
public static class RetryDelay
{
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(120);

    /// <summary>Used when neither the dependency nor the client knows better.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(5);

    public static TimeSpan Choose(TimeSpan? given, TimeSpan fallback)
    {
        var delay = given ?? fallback;
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        var seconds = Math.Ceiling(Math.Min(delay.TotalSeconds, Longest.TotalSeconds));
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>A Retry-After value: delta-seconds or an HTTP date (RFC 9110, section 10.2.3); else null.</summary>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var style = DateTimeStyles.AssumeUniversal;
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, style, out var at))
        {
            return at - now;
        }

        return null;
    }

    /// <summary>The end of a detail that says when to try again.</summary>
    public static string Advice(TimeSpan delay) => $"try again in {delay.TotalSeconds:0} s (Retry-After).";
}
