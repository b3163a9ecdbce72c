using ConnectedAccounts.Storage.Queues;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// Runs a queue or timer function standalone as the worker would: an instance of its class from a DI scope of its own,
/// with the trigger's value and the metadata its parameters name (<c>long dequeueCount</c>, <c>string id</c>) bound.
/// </summary>
public sealed class FunctionInvoker(IServiceScopeFactory scopeFactory)
{
    private static readonly object Unbound = new();
    private static readonly QueueMessage Sample = new("id", "receipt", "text", 1, default, default);

    public Task InvokeQueueAsync(QueueFunctionRegistration function, QueueMessage message, CancellationToken cancellationToken) =>
        InvokeAsync(function, p => QueueArgument(p, message, cancellationToken));

    public Task InvokeTimerAsync(TimerFunctionRegistration function, TimerInfo timer, CancellationToken cancellationToken) =>
        InvokeAsync(function, p => TimerArgument(p, timer, cancellationToken));

    /// <summary>The first parameter of <paramref name="function"/> the runner has nothing for, or null when it can run it.</summary>
    public static string? UnboundParameter(FunctionRegistration function) =>
        function.Method.GetParameters().FirstOrDefault(p => Unbound == (function is QueueFunctionRegistration
            ? QueueArgument(p, Sample, default)
            : TimerArgument(p, new TimerInfo(), default)))?.Name;

    private static object? QueueArgument(ParameterInfo parameter, QueueMessage message, CancellationToken cancellationToken) => parameter switch
    {
        _ when parameter.ParameterType == typeof(CancellationToken) => cancellationToken,
        _ when parameter.GetCustomAttribute<QueueTriggerAttribute>() is not null && parameter.ParameterType == typeof(string) => message.Text,
        { Name: "dequeueCount" } when parameter.ParameterType == typeof(long) => message.DequeueCount,
        { Name: "id" } when parameter.ParameterType == typeof(string) => message.MessageId,
        _ => Unbound,
    };

    private static object? TimerArgument(ParameterInfo parameter, TimerInfo timer, CancellationToken cancellationToken) => parameter switch
    {
        _ when parameter.ParameterType == typeof(CancellationToken) => cancellationToken,
        _ when parameter.ParameterType == typeof(TimerInfo) => timer,
        _ => Unbound,
    };

    private async Task InvokeAsync(FunctionRegistration function, Func<ParameterInfo, object?> bind)
    {
        var arguments = function.Method.GetParameters().Select(bind).ToArray();
        await using var scope = scopeFactory.CreateAsyncScope();
        var target = function.Method.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, function.Method.DeclaringType!);
        await (Task)function.Method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, arguments, null)!;
    }
}
