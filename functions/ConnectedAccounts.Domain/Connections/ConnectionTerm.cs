using System.Diagnostics.CodeAnalysis;
using NodaTime;
using NodaTime.Text;

namespace ConnectedAccounts.Domain.Connections;

/// <summary>
/// How long a connection lasts: an ISO 8601 duration (<c>P90D</c>, <c>P6M</c>, <c>P1Y</c>) between one day and two
/// years, counted on the calendar in UTC through NodaTime's periods, so <c>P1M</c> from 31 January ends on the last
/// day of February and <c>P1Y</c> spans a leap day.
/// </summary>
public sealed record ConnectionTerm
{
    private ConnectionTerm(Period period) => Period = period;

    public Period Period { get; }

    /// <summary>Reads an ISO 8601 duration; false for anything else (a negative or zero one included).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ConnectionTerm? term)
    {
        term = null;
        if (text is null || text.Length > 40 || PeriodPattern.NormalizingIso.Parse(text) is not { Success: true } parsed)
        {
            return false;
        }

        var period = parsed.Value;
        var anchor = Instant.FromUtc(2000, 1, 1, 0, 0);
        if (period.HasTimeComponent && (period.Milliseconds != 0 || period.Ticks != 0 || period.Nanoseconds != 0))
        {
            return false;
        }

        term = new ConnectionTerm(period);
        return term.AddTo(anchor.ToDateTimeOffset()) > anchor.ToDateTimeOffset();
    }

    /// <summary>The instant <see cref="Period"/> after <paramref name="start"/>, on the UTC calendar.</summary>
    public DateTimeOffset AddTo(DateTimeOffset start) =>
        Instant.FromDateTimeOffset(start).InUtc().LocalDateTime.Plus(Period).InUtc().ToDateTimeOffset();

    /// <summary>Whether a term starting at <paramref name="start"/> lasts at least a day and at most two years.</summary>
    public bool IsWithinLimits(DateTimeOffset start) => AddTo(start) is var end && end >= start.AddDays(1) && end <= start.AddYears(2);

    /// <summary>The ISO 8601 form, as stored and answered: <c>P1Y6M</c>, <c>P30D</c>.</summary>
    public override string ToString() => PeriodPattern.NormalizingIso.Format(Period);
}
