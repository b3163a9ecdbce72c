using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Activity;

public static class ActivitySetup
{
    public static IServiceCollection AddActivity(this IServiceCollection services)
    {
        services.AddOptions<ActivityOptions>().BindConfiguration(ActivityOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ActivityOptions>, ActivityOptionsValidator>());
        return services.AddSingleton<ActivityDays>().AddSingleton<ActivitySweep>();
    }
}
