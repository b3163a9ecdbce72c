using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Hosting;

public static class HostingSetup
{
    /// <summary>
    /// Chooses how the process runs: as the Functions host's isolated worker (<c>--functions-uri</c>: the host owns the
    /// triggers, each HTTP function runs <see cref="HttpFunctionPipeline"/>), or standalone, where the app's own runners
    /// poll the queue functions' queues and run the timer functions on their schedules (unless
    /// <c>Functions:RunBackgroundJobs</c> is false). Both read the functions from their <c>[Function]</c> attributes.
    /// </summary>
    public static IHostApplicationBuilder AddFunctionsHost(this IHostApplicationBuilder builder)
    {
        var mode = FunctionsHostMode.From(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(mode);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => FunctionCatalog.Of(typeof(HostingSetup).Assembly));
        services.TryAddSingleton<TimerSchedules>();
        services.TryAddSingleton<FunctionInvoker>();
        services.TryAddSingleton<QueueMessageProcessor>();
        services.AddOptions<FunctionsHostOptions>().BindConfiguration(FunctionsHostOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueRunnerOptions>, QueueRunnerOptionsValidator>());
        services.AddOptions<QueueRunnerOptions>().BindConfiguration(QueueRunnerOptions.Section).ValidateOnStart();

        services.AddSingleton<HttpFunctionPipeline>();
        if (mode.Kind == FunctionsHostModeKind.Standalone)
        {
            services.AddHostedService<QueuePollingService>();
            services.AddHostedService<TimerSchedulingService>();
        }

        return builder;
    }
}
