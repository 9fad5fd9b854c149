using System.Net.Http.Headers;

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
        if (!RetryConditionHeaderValue.TryParse(value, out var header))
        {
            return null;
        }

        return FromHeader(header, now);
    }

    /// <summary>A parsed Retry-After header as a wait from <paramref name="now"/>; null when there is none.</summary>
    public static TimeSpan? FromHeader(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date - now;
    }

    /// <summary>The end of a detail that says when to try again.</summary>
    public static string Advice(TimeSpan delay) => $"try again in {delay.TotalSeconds:0} s (Retry-After).";
}
