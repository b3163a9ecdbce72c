using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ConnectedAccounts.Functions.Email;

public static class EmailSetup
{
    /// <summary>
    /// Registers the <c>Email</c> options (validated at start), the renderer, the sender chosen by
    /// <c>Email:Provider</c> and the <see cref="EmailSenderFunction"/> queue handler.
    /// </summary>
    public static IServiceCollection AddEmail(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>());
        services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
                options.PickupDirectory ??= Path.Combine(configuration["Storage:DataPath"] ?? "data", "mail"))
            .ValidateOnStart();

        // Each attempt has its own timeout inside the resilience handler; the client's overall one would cut retries short.
        services.AddHttpClient<SendGridEmailSender>(SendGridEmailSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(SendGridEmailSender.HttpClientName, (pipeline, context) =>
            {
                var sendGrid = context.ServiceProvider.GetRequiredService<IOptions<EmailOptions>>().Value.SendGrid;
                var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
                if (sendGrid.MaxAttempts > 1)
                {
                    // Transient: 408, 429, 5xx, network faults and attempt timeouts (the handler's default predicate).
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = sendGrid.MaxAttempts - 1,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = false,
                        Delay = sendGrid.RetryBaseDelay,
                        MaxDelay = sendGrid.MaxRetryDelay,
                        ShouldRetryAfterHeader = false,
                        DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, sendGrid.MaxRetryDelay, time)),
                    });
                }

                pipeline.AddTimeout(sendGrid.Timeout);
            });
        services.TryAddSingleton<PickupFolderEmailSender>();
        services.TryAddTransient<IEmailSender>(provider =>
            provider.GetRequiredService<IOptions<EmailOptions>>().Value.Provider switch
            {
                EmailProvider.SendGrid => provider.GetRequiredService<SendGridEmailSender>(),
                _ => provider.GetRequiredService<PickupFolderEmailSender>(),
            });

        services.TryAddTransient<EmailSenderFunction>();
        services.TryAddSingleton<SentEmailRecords>();
        return services;
    }

    /// <summary>A 429's <c>Retry-After</c> (seconds or a date), bounded like every other wait; null for the back-off.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan bound, TimeProvider time)
    {
        TimeSpan? wait = response?.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow() is var until && until > TimeSpan.Zero ? until : TimeSpan.Zero,
            _ => null,
        };
        return wait > bound ? bound : wait;
    }
}
