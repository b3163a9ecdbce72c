using ConnectedAccounts.Functions.Hosting;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// How the program reads timer schedules: NCrontab parses and computes them (and has its own tests); these check
/// that the seconds field is on, that times are UTC, and that a schedule the host would refuse is refused here too.
/// </summary>
public sealed class TimerScheduleTests
{
    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("*/30 * * * * *", "2026-11-23T10:00:10", "2026-11-23T10:00:30")]
    [InlineData("0 */15 * * * *", "2026-11-23T10:15:00", "2026-11-23T10:30:00")]
    [InlineData("0 20 * * * *", "2026-11-23T10:20:00", "2026-11-23T11:20:00")]
    public void The_default_schedules_fall_on_the_expected_seconds(string expression, string after, string expected)
    {
        Assert.Equal(At(expected), TimerSchedule.Parse(expression).NextAfter(At(after)));
    }

    [Fact]
    public void A_time_with_an_offset_is_compared_in_utc()
    {
        var next = TimerSchedule.Parse("0 0 12 * * *").NextAfter(new DateTimeOffset(2026, 11, 23, 13, 0, 0, TimeSpan.FromHours(2)));

        Assert.Equal(At("2026-11-23T12:00:00"), next);
        Assert.Equal(TimeSpan.Zero, next.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("*/5 * * * *")]
    [InlineData("60 * * * * *")]
    [InlineData("0 0 0 * FOO *")]
    public void A_schedule_the_host_would_refuse_is_refused_with_the_expression_named(string expression)
    {
        Assert.False(TimerSchedule.TryParse(expression, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Contains($"'{expression}'", error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TimerSchedule.Parse(expression));
    }
}
