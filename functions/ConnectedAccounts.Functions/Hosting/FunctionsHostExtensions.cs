using System.Net;
using ConnectedAccounts.Functions.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

public static class FunctionsHostExtensions
{
    /// <summary>
    /// Registers a queue-triggered function: <paramref name="functionName"/> is its function.json folder and its
    /// invocation route under the Functions host; standalone, the app polls <paramref name="queueName"/> itself.
    /// </summary>
    public static IServiceCollection AddQueueFunction<THandler>(this IServiceCollection services, string functionName, string queueName)
        where THandler : class, IQueueFunction
    {
        RequireName(functionName);
        // The poison queue's name must be a valid queue name too.
        if (!FunctionCatalog.IsValidQueueName(queueName) || !FunctionCatalog.IsValidQueueName(QueueMessageProcessor.PoisonQueueName(queueName)))
        {
            throw new ArgumentException($"'{queueName}' is not a valid queue name (3-56 lowercase letters, digits, single hyphens).", nameof(queueName));
        }

        services.TryAddScoped<THandler>();
        services.AddSingleton<FunctionRegistration>(new QueueFunctionRegistration(functionName, queueName, typeof(THandler)));
        return services;
    }

    /// <summary>
    /// Registers a timer-triggered function. Its NCRONTAB schedule is read from configuration key
    /// <paramref name="scheduleSettingName"/> (e.g. <c>Schedules:InvitationCleanup</c>, app setting
    /// <c>Schedules__InvitationCleanup</c>), else <paramref name="defaultSchedule"/>. Under the Functions host the
    /// setting must exist: function.json names it and the host has no default.
    /// </summary>
    public static IServiceCollection AddTimerFunction<THandler>(this IServiceCollection services, string functionName, string scheduleSettingName, string defaultSchedule)
        where THandler : class, ITimerFunction
    {
        RequireName(functionName);
        ArgumentException.ThrowIfNullOrWhiteSpace(scheduleSettingName);
        TimerSchedule.Parse(defaultSchedule);
        services.TryAddScoped<THandler>();
        services.AddSingleton<FunctionRegistration>(new TimerFunctionRegistration(functionName, scheduleSettingName, defaultSchedule, typeof(THandler)));
        return services;
    }

    /// <summary>
    /// Chooses how the process runs: under the Functions host (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c>: loopback only,
    /// no background work), generating function.json files (<c>--generate-functions &lt;dir&gt;</c>: no server), or
    /// standalone (queue pollers and timers in-process unless <c>Functions:RunBackgroundJobs</c> is false).
    /// </summary>
    public static IHostApplicationBuilder AddFunctionsHost(this IHostApplicationBuilder builder)
    {
        var mode = FunctionsHostMode.From(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(mode);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FunctionCatalog>();
        services.TryAddSingleton<TimerSchedules>();
        services.TryAddSingleton<FunctionInvoker>();
        services.TryAddSingleton<QueueMessageProcessor>();
        services.AddOptions<FunctionsHostOptions>().BindConfiguration(FunctionsHostOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueRunnerOptions>, QueueRunnerOptionsValidator>());
        services.AddOptions<QueueRunnerOptions>().BindConfiguration(QueueRunnerOptions.Section).ValidateOnStart();

        switch (mode.Kind)
        {
            case FunctionsHostModeKind.FunctionsHost:
                // Only the host on this machine may reach the handler; it overrides any configured URLs.
                services.Configure<KestrelServerOptions>(kestrel => kestrel.Listen(IPAddress.Loopback, mode.Port!.Value));
                break;
            case FunctionsHostModeKind.Worker:
                services.AddSingleton<HttpFunctionPipeline>();
                break;
            case FunctionsHostModeKind.GenerateFunctions:
                services.AddSingleton<IServer, NoServer>();
                services.AddHostedService<FunctionDefinitionWriter>();
                break;
            default:
                services.AddHostedService<QueuePollingService>();
                services.AddHostedService<TimerSchedulingService>();
                break;
        }

        return builder;
    }

    /// <summary>
    /// Maps the Functions host's readiness probe and invocation routes (Functions mode only) and checks the catalog and
    /// the timer schedules now, so a bad schedule fails the start rather than the first run.
    /// </summary>
    public static IEndpointRouteBuilder MapFunctionsHost(this IEndpointRouteBuilder app)
    {
        var catalog = app.ServiceProvider.GetRequiredService<FunctionCatalog>();
        _ = app.ServiceProvider.GetRequiredService<TimerSchedules>();
        if (app.ServiceProvider.GetRequiredService<FunctionsHostMode>().Kind == FunctionsHostModeKind.FunctionsHost)
        {
            app.MapFunctionInvocations(catalog);
        }

        return app;
    }

    private static void RequireName(string functionName)
    {
        if (!FunctionCatalog.IsValidFunctionName(functionName))
        {
            throw new ArgumentException($"'{functionName}' is not a valid function name.", nameof(functionName));
        }
    }

    /// <summary>Stands in for Kestrel when the process only generates files: nothing listens.</summary>
    private sealed class NoServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    /// <summary>Runs once the app is built and every endpoint is mapped, writes the files, and stops the process.</summary>
    private sealed class FunctionDefinitionWriter(
        FunctionsHostMode mode, FunctionCatalog catalog, EndpointDataSource endpoints, IHostApplicationLifetime lifetime, ILogger<FunctionDefinitionWriter> logger)
        : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            // Started hosted services run before Program's Map calls only if the app is started early; with app.Run()
            // they run after, so the endpoint list is complete here.
            lifetime.ApplicationStarted.Register(() =>
            {
                try
                {
                    var functions = FunctionDefinitions.Build(catalog, endpoints);
                    FunctionDefinitions.Write(functions, mode.OutputDirectory!);
                    logger.LogInformation("Wrote {Count} function definitions to {Directory}", functions.Count, mode.OutputDirectory);
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    logger.LogError(e, "Could not write the function definitions");
                    Environment.ExitCode = 1;
                }
                finally
                {
                    lifetime.StopApplication();
                }
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
