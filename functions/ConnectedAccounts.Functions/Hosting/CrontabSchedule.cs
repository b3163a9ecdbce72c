using System.Globalization;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// An NCRONTAB expression as the Functions timer trigger reads it: six fields, <c>second minute hour day month
/// day-of-week</c>, each <c>*</c>, a value, a range <c>a-b</c>, a step <c>*/n</c>, <c>a-b/n</c> or <c>a/n</c>, or a
/// comma list of those; months and weekdays also by three-letter name. Like NCrontab (and unlike Vixie cron), a
/// restricted day and a restricted day-of-week must both match. Times are UTC, as on the Functions host without
/// WEBSITE_TIME_ZONE.
/// </summary>
public sealed class CrontabSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    // Far enough for any satisfiable expression (29 February recurs within 8 years), short enough to stay cheap.
    private const int SearchDays = 366 * 9;

    private readonly bool[] _seconds;
    private readonly bool[] _minutes;
    private readonly bool[] _hours;
    private readonly bool[] _days;
    private readonly bool[] _months;
    private readonly bool[] _daysOfWeek;

    private CrontabSchedule(string expression, bool[][] fields)
    {
        Expression = expression;
        (_seconds, _minutes, _hours, _days, _months, _daysOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
    }

    public string Expression { get; }

    public static CrontabSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var error) ? schedule : throw new FormatException(error);

    public static bool TryParse(string expression, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CrontabSchedule? schedule, out string? error)
    {
        schedule = null;
        var parts = (expression ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 6)
        {
            error = $"'{expression}' must have six fields (second minute hour day month day-of-week), not {parts.Length}.";
            return false;
        }

        (string Name, int Min, int Max, string[]? Names)[] specs =
        [
            ("second", 0, 59, null), ("minute", 0, 59, null), ("hour", 0, 23, null),
            ("day", 1, 31, null), ("month", 1, 12, MonthNames), ("day-of-week", 0, 6, DayNames),
        ];
        var fields = new bool[6][];
        for (var i = 0; i < 6; i++)
        {
            var (name, min, max, names) = specs[i];
            fields[i] = new bool[max + 1];
            if (!TryParseField(parts[i], min, max, names, fields[i]))
            {
                error = $"'{expression}': the {name} field '{parts[i]}' is not valid (allowed {min}-{max}).";
                return false;
            }
        }

        schedule = new CrontabSchedule(string.Join(' ', parts), fields);
        error = null;
        return true;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC, to the second.</summary>
    public DateTimeOffset GetNextOccurrence(DateTimeOffset after)
    {
        var utc = after.UtcDateTime;
        var start = new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second, DateTimeKind.Utc).AddSeconds(1);
        for (var day = start.Date; day < start.Date.AddDays(SearchDays); day = day.AddDays(1))
        {
            if (!_months[day.Month] || !_days[day.Day] || !_daysOfWeek[(int)day.DayOfWeek])
            {
                continue;
            }

            var from = day == start.Date ? start.TimeOfDay : TimeSpan.Zero;
            if (TryFirstTimeOfDay(from, out var time))
            {
                return new DateTimeOffset(day + time, TimeSpan.Zero);
            }
        }

        throw new InvalidOperationException($"The schedule '{Expression}' never occurs.");
    }

    public override string ToString() => Expression;

    private bool TryFirstTimeOfDay(TimeSpan from, out TimeSpan time)
    {
        for (var h = from.Hours; h < 24; h++)
        {
            if (!_hours[h])
            {
                continue;
            }

            for (var m = h == from.Hours ? from.Minutes : 0; m < 60; m++)
            {
                if (!_minutes[m])
                {
                    continue;
                }

                for (var s = h == from.Hours && m == from.Minutes ? from.Seconds : 0; s < 60; s++)
                {
                    if (_seconds[s])
                    {
                        time = new TimeSpan(h, m, s);
                        return true;
                    }
                }
            }
        }

        time = default;
        return false;
    }

    private static bool TryParseField(string field, int min, int max, string[]? names, bool[] allowed)
    {
        foreach (var item in field.Split(','))
        {
            var slash = item.Split('/');
            if (slash.Length > 2)
            {
                return false;
            }

            var step = 1;
            if (slash.Length == 2 && (!int.TryParse(slash[1], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1))
            {
                return false;
            }

            int from, to;
            var range = slash[0];
            if (range == "*")
            {
                (from, to) = (min, max);
            }
            else if (range.Split('-') is [var low, var high])
            {
                if (!TryValue(low, min, max, names, out from) || !TryValue(high, min, max, names, out to) || from > to)
                {
                    return false;
                }
            }
            else if (TryValue(range, min, max, names, out from))
            {
                // "a/n" means every n-th value from a upwards, as in NCrontab.
                to = slash.Length == 2 ? max : from;
            }
            else
            {
                return false;
            }

            for (var v = from; v <= to; v += step)
            {
                allowed[v] = true;
            }
        }

        return true;
    }

    private static bool TryValue(string text, int min, int max, string[]? names, out int value)
    {
        if (names is not null)
        {
            var index = Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                value = index + min;
                return true;
            }
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
