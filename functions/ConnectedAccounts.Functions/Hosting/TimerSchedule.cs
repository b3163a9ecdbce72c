using NCrontab;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// Timer schedules as the Functions host reads them, through NCrontab (the library the host itself uses): six
/// fields with seconds, <c>second minute hour day month day-of-week</c>. Times are UTC, as on the host without
/// WEBSITE_TIME_ZONE.
/// </summary>
public static class TimerSchedule
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    public static CrontabSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var error) ? schedule : throw new FormatException(error);

    public static bool TryParse(string? expression, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CrontabSchedule? schedule, out string? error)
    {
        schedule = expression is null ? null : CrontabSchedule.TryParse(expression, WithSeconds);
        error = schedule is null ? $"'{expression}' is not an NCRONTAB expression with six fields (second minute hour day month day-of-week)." : null;
        return schedule is not null;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC.</summary>
    public static DateTimeOffset NextAfter(this CrontabSchedule schedule, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var next = schedule.GetNextOccurrence(after.UtcDateTime, DateTime.MaxValue);
        return next == DateTime.MaxValue
            ? throw new InvalidOperationException($"The schedule '{schedule}' never occurs after {after:O}.")
            : new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
    }
}

/// <summary>Each timer's schedule, resolved against configuration as the host resolves <c>%Name%</c>, and parsed once, at startup.</summary>
public sealed class TimerSchedules
{
    private readonly Dictionary<string, CrontabSchedule> _schedules = new(StringComparer.OrdinalIgnoreCase);

    public TimerSchedules(FunctionCatalog catalog, IConfiguration configuration, IHostEnvironment environment)
    {
        foreach (var timer in catalog.Timers)
        {
            var expression = timer.SettingName is { } setting ? configuration[setting] : timer.Schedule;
            if (!TimerSchedule.TryParse(expression, out var schedule, out var error))
            {
                throw new InvalidOperationException(expression is null
                    ? $"Timer '{timer.Name}' ({timer.Schedule}): the setting {timer.SettingName} is missing. A standalone run reads it from "
                        + $"appsettings.json in its content root, {environment.ContentRootPath}: start the program in its own folder, "
                        + $"or set {timer.SettingName!.Replace(":", "__", StringComparison.Ordinal)} in the environment."
                    : $"Timer '{timer.Name}' ({timer.Schedule}): {error}");
            }

            _schedules[timer.Name] = schedule;
        }
    }

    public CrontabSchedule For(TimerFunctionRegistration timer) => _schedules[timer.Name];
}
