using System.Text.RegularExpressions;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>A non-HTTP function as the Functions host and the standalone runners both see it.</summary>
public abstract record FunctionRegistration(string Name, Type HandlerType);

public sealed record QueueFunctionRegistration(string Name, string QueueName, Type HandlerType)
    : FunctionRegistration(Name, HandlerType);

/// <summary>
/// <paramref name="ScheduleSettingName"/> is a configuration key (<c>Schedules:InvitationCleanup</c>). function.json
/// names it as it is (<c>%Schedules:InvitationCleanup%</c>): the host resolves it against its configuration, where the
/// app setting <c>Schedules__InvitationCleanup</c> has that key.
/// </summary>
public sealed record TimerFunctionRegistration(string Name, string ScheduleSettingName, string DefaultSchedule, Type HandlerType)
    : FunctionRegistration(Name, HandlerType);

/// <summary>
/// The single source of truth for queue and timer functions: function.json generation, the Functions-mode invocation
/// routes and the standalone runners all read it, so a function name or queue name cannot drift between them.
/// </summary>
public sealed partial class FunctionCatalog
{
    public FunctionCatalog(IEnumerable<FunctionRegistration> registrations)
    {
        var all = registrations.ToList();
        var duplicate = all.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            // The host treats function names case-insensitively, so "Cleanup" and "cleanup" would collide there.
            throw new InvalidOperationException($"Function '{duplicate.Key}' is registered more than once.");
        }

        Queues = all.OfType<QueueFunctionRegistration>().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        Timers = all.OfType<TimerFunctionRegistration>().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<QueueFunctionRegistration> Queues { get; }

    public IReadOnlyList<TimerFunctionRegistration> Timers { get; }

    public IEnumerable<FunctionRegistration> All => Queues.Cast<FunctionRegistration>().Concat(Timers);

    public FunctionRegistration? Find(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The host's rule for function names (they become folder names and URL segments).</summary>
    public static bool IsValidFunctionName(string name) => FunctionNamePattern().IsMatch(name);

    /// <summary>Azure Queue Storage's rule: 3–63 lowercase letters, digits and single hyphens, no hyphen at either end.</summary>
    public static bool IsValidQueueName(string name) =>
        name.Length is >= 3 and <= 63 && QueueNamePattern().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex FunctionNamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex QueueNamePattern();
}
