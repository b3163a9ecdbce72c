using ConnectedAccounts.Functions.Hosting;

namespace ConnectedAccounts.Host.Tests;

public sealed class CrontabScheduleTests
{
    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-23T10:02:30", "2026-11-23T10:05:00")]
    [InlineData("0 */5 * * * *", "2026-11-23T10:05:00", "2026-11-23T10:10:00")]
    [InlineData("*/10 * * * * *", "2026-11-23T10:00:59", "2026-11-23T10:01:00")]
    [InlineData("0 0 3 * * *", "2026-11-23T03:00:00", "2026-11-24T03:00:00")]
    [InlineData("0 30 9 * * 1-5", "2026-11-21T12:00:00", "2026-11-23T09:30:00")]
    [InlineData("0 30 9 * * MON-FRI", "2026-11-21T12:00:00", "2026-11-23T09:30:00")]
    [InlineData("0 0 0 1 JAN *", "2026-11-23T00:00:00", "2027-01-01T00:00:00")]
    [InlineData("0 0 0 29 2 *", "2026-03-01T00:00:00", "2028-02-29T00:00:00")]
    [InlineData("15,45 0 12 * * *", "2026-11-23T12:00:15", "2026-11-23T12:00:45")]
    [InlineData("0 0 8-18/4 * * *", "2026-11-23T12:00:01", "2026-11-23T16:00:00")]
    [InlineData("0 5/20 * * * *", "2026-11-23T10:26:00", "2026-11-23T10:45:00")]
    [InlineData("59 59 23 31 12 *", "2026-12-31T23:59:58", "2026-12-31T23:59:59")]
    [InlineData("0 0 0 * * *", "2026-12-31T23:59:59", "2027-01-01T00:00:00")]
    public void Next_occurrence_is_the_first_matching_second_after_the_given_time(string expression, string after, string expected)
    {
        var schedule = CrontabSchedule.Parse(expression);

        Assert.Equal(At(expected), schedule.GetNextOccurrence(At(after)));
    }

    [Fact]
    public void Day_and_day_of_week_must_both_match_as_in_NCrontab()
    {
        // The 13th that is a Friday: 2026-11-13 is one, the next is 2027-08-13.
        var schedule = CrontabSchedule.Parse("0 0 0 13 * FRI");

        Assert.Equal(At("2026-11-13T00:00:00"), schedule.GetNextOccurrence(At("2026-11-01T00:00:00")));
        Assert.Equal(At("2027-08-13T00:00:00"), schedule.GetNextOccurrence(At("2026-11-13T00:00:00")));
    }

    [Fact]
    public void A_time_with_an_offset_is_compared_in_utc()
    {
        var schedule = CrontabSchedule.Parse("0 0 12 * * *");

        var next = schedule.GetNextOccurrence(new DateTimeOffset(2026, 11, 23, 13, 0, 0, TimeSpan.FromHours(2)));

        Assert.Equal(At("2026-11-23T12:00:00"), next);
        Assert.Equal(TimeSpan.Zero, next.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("*/5 * * * *")]
    [InlineData("0 * * * * * *")]
    [InlineData("60 * * * * *")]
    [InlineData("0 60 * * * *")]
    [InlineData("0 0 24 * * *")]
    [InlineData("0 0 0 0 * *")]
    [InlineData("0 0 0 32 * *")]
    [InlineData("0 0 0 * 13 *")]
    [InlineData("0 0 0 * * 7")]
    [InlineData("*/0 * * * * *")]
    [InlineData("5-1 * * * * *")]
    [InlineData("a * * * * *")]
    [InlineData("1/2/3 * * * * *")]
    [InlineData("-1 * * * * *")]
    [InlineData("0 0 0 * FOO *")]
    public void Malformed_expressions_are_refused_with_the_reason(string expression)
    {
        Assert.False(CrontabSchedule.TryParse(expression, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Contains(expression, error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => CrontabSchedule.Parse(expression));
    }

    [Fact]
    public void A_schedule_that_never_occurs_says_so()
    {
        var schedule = CrontabSchedule.Parse("0 0 0 30 2 *");

        Assert.Throws<InvalidOperationException>(() => schedule.GetNextOccurrence(At("2026-01-01T00:00:00")));
    }
}
