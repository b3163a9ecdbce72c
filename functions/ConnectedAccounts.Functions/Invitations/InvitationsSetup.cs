using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Invitations;

public static class InvitationsSetup
{
    public static IServiceCollection AddInvitations(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InvitationOptions>, InvitationOptionsValidator>());
        services.AddOptions<InvitationOptions>().BindConfiguration(InvitationOptions.SectionName).ValidateOnStart();
        services.AddSingleton<InvitationStore>();
        services.AddSingleton<InvitationService>();
        return services.AddSingleton<InvitationCleanup>();
    }
}
