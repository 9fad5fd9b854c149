using FunctionApp.Problems;

namespace FunctionApp.Tests;

/// <summary>What a caller of a throttled or unavailable dependency is told to wait, from what the dependency said.</summary>
public sealed class RetryDelayTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("7", 7)]
    [InlineData("0", 0)]
    // An HTTP date (RFC 9110): the time until then.
    [InlineData("Tue, 08 Dec 2026 12:00:30 GMT", 30)]
    // A date already past: a negative wait, which Choose turns into none.
    [InlineData("Tue, 08 Dec 2026 11:59:00 GMT", -60)]
    public void Parse_ReadsDeltaSecondsAndHttpDates(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryDelay.Parse(value, Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public void Parse_OfAnythingElse_IsNull(string? value)
    {
        Assert.Null(RetryDelay.Parse(value, Now));
    }

    [Theory]
    // The dependency's own figure, in whole seconds rounded up.
    [InlineData(2.2, 5, 3)]
    // None given: the client's estimate.
    [InlineData(null, 5, 5)]
    // Never more than two minutes, never less than none.
    [InlineData(600.0, 5, 120)]
    [InlineData(-60.0, 5, 0)]
    public void Choose_RoundsUpCapsAtTwoMinutesAndNeverGoesBelowZero(double? givenSeconds, int fallback, int expected)
    {
        var given = givenSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;

        var delay = RetryDelay.Choose(given, TimeSpan.FromSeconds(fallback));

        Assert.Equal(TimeSpan.FromSeconds(expected), delay);
    }

    [Fact]
    public void Advice_SaysTheWaitInSeconds()
    {
        Assert.Equal("try again in 30 s (Retry-After).", RetryDelay.Advice(TimeSpan.FromSeconds(30)));
    }
}
