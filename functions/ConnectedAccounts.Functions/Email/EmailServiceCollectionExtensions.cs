using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Email;

public static class EmailServiceCollectionExtensions
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

        services.AddHttpClient<SendGridEmailSender>(SendGridEmailSender.HttpClientName, (provider, client) =>
        {
            var sendGrid = provider.GetRequiredService<IOptions<EmailOptions>>().Value.SendGrid;
            client.BaseAddress = new Uri(sendGrid.BaseUrl.TrimEnd('/') + "/");
            client.Timeout = sendGrid.Timeout;
        });
        services.TryAddSingleton<PickupFolderEmailSender>();
        services.TryAddTransient<IEmailSender>(provider =>
            provider.GetRequiredService<IOptions<EmailOptions>>().Value.Provider switch
            {
                EmailProvider.SendGrid => provider.GetRequiredService<SendGridEmailSender>(),
                _ => provider.GetRequiredService<PickupFolderEmailSender>(),
            });

        services.TryAddSingleton<EmailRenderer>();
        services.TryAddTransient<EmailSenderFunction>();
        return services;
    }

    /// <summary>The e-mail sender as a queue function of the <see cref="EmailQueue.Name"/> queue.</summary>
    public static IServiceCollection AddEmailFunction(this IServiceCollection services) =>
        services.AddQueueFunction<EmailQueueFunction>("EmailSender", EmailQueue.Name);

    public sealed class EmailQueueFunction(EmailSenderFunction sender) : Hosting.IQueueFunction
    {
        public Task HandleAsync(Hosting.QueueInvocation invocation, CancellationToken cancellationToken) =>
            sender.HandleAsync(invocation.MessageText, cancellationToken);
    }
}
