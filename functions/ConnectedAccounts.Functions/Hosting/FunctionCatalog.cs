using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>A queue or timer function: a <c>[Function]</c> method, which the app runs itself when standalone.</summary>
public abstract record FunctionRegistration(string Name, MethodInfo Method);

public sealed record QueueFunctionRegistration(string Name, string QueueName, MethodInfo Method) : FunctionRegistration(Name, Method);

/// <summary>
/// <paramref name="Schedule"/> is the trigger's expression as written, <c>%Schedules:OutboxSweep%</c>: the host resolves
/// the name between the percent signs against its configuration (app setting <c>Schedules__OutboxSweep</c>), and so does
/// <see cref="TimerSchedules"/> standalone.
/// </summary>
public sealed record TimerFunctionRegistration(string Name, string Schedule, MethodInfo Method) : FunctionRegistration(Name, Method)
{
    /// <summary>The configuration key the schedule names, or null for a literal expression.</summary>
    public string? SettingName => Schedule is ['%', .. var name, '%'] ? name : null;
}

/// <summary>
/// The queue and timer functions, read from the same <c>[Function]</c> attributes the Worker SDK reads to write
/// functions.metadata, so the standalone runners and the host see one list.
/// </summary>
public sealed class FunctionCatalog
{
    public FunctionCatalog(IEnumerable<FunctionRegistration> registrations)
    {
        var all = registrations.ToList();
        var duplicate = all.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            // The host treats function names case-insensitively, so "Cleanup" and "cleanup" would collide there.
            throw new InvalidOperationException($"Function '{duplicate.Key}' is declared more than once.");
        }

        if (all.Select(r => (r.Name, Parameter: FunctionInvoker.UnboundParameter(r))).FirstOrDefault(r => r.Parameter is not null) is { Name: { } name } unbound)
        {
            throw new InvalidOperationException($"Function '{name}': parameter '{unbound.Parameter}' binds to nothing the standalone runner provides.");
        }

        Queues = all.OfType<QueueFunctionRegistration>().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        Timers = all.OfType<TimerFunctionRegistration>().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<QueueFunctionRegistration> Queues { get; }

    public IReadOnlyList<TimerFunctionRegistration> Timers { get; }

    /// <summary>Every queue and timer function declared in <paramref name="assembly"/>.</summary>
    public static FunctionCatalog Of(Assembly assembly) =>
        new(assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(From)
            .OfType<FunctionRegistration>());

    /// <summary>The registration of a <c>[Function]</c> method with a queue or timer trigger; null for any other method.</summary>
    public static FunctionRegistration? From(MethodInfo method)
    {
        if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
        {
            return null;
        }

        foreach (var parameter in method.GetParameters())
        {
            if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
            {
                return new QueueFunctionRegistration(function.Name, queue.QueueName, method);
            }

            if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
            {
                return new TimerFunctionRegistration(function.Name, timer.Schedule, method);
            }
        }

        return null;
    }
}
