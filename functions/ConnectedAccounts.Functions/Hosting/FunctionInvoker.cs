namespace ConnectedAccounts.Functions.Hosting;

/// <summary>Runs a catalog function in its own DI scope; the Functions-mode routes and the standalone runners share it.</summary>
public sealed class FunctionInvoker(IServiceScopeFactory scopeFactory)
{
    public async Task InvokeQueueAsync(QueueFunctionRegistration function, QueueInvocation invocation, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var handler = (IQueueFunction)scope.ServiceProvider.GetRequiredService(function.HandlerType);
        await handler.HandleAsync(invocation, cancellationToken);
    }

    public async Task InvokeTimerAsync(TimerFunctionRegistration function, TimerInvocation invocation, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var handler = (ITimerFunction)scope.ServiceProvider.GetRequiredService(function.HandlerType);
        await handler.RunAsync(invocation, cancellationToken);
    }
}

/// <summary>Each timer's schedule, read from configuration (or its default) and parsed once, at startup.</summary>
public sealed class TimerSchedules
{
    private readonly Dictionary<string, NCrontab.CrontabSchedule> _schedules = new(StringComparer.OrdinalIgnoreCase);

    public TimerSchedules(FunctionCatalog catalog, IConfiguration configuration)
    {
        foreach (var timer in catalog.Timers)
        {
            var expression = configuration[timer.ScheduleSettingName] is { Length: > 0 } configured ? configured : timer.DefaultSchedule;
            if (!TimerSchedule.TryParse(expression, out var schedule, out var error))
            {
                throw new InvalidOperationException($"Timer '{timer.Name}' ({timer.ScheduleSettingName}): {error}");
            }

            _schedules[timer.Name] = schedule;
        }
    }

    public NCrontab.CrontabSchedule For(TimerFunctionRegistration timer) => _schedules[timer.Name];
}
