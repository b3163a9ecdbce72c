using ConnectedAccounts.Functions.Persistence;

namespace ConnectedAccounts.Functions.Resources;

public static class ResourcesSetup
{
    /// <summary>The stores of a client account's reports, items and integrations.</summary>
    public static IServiceCollection AddResources(this IServiceCollection services) =>
        services.AddSingleton(sp => new ResourceStore<Report>(sp.GetRequiredService<DataStore>(), ReportsApi.Kind, AppJsonContext.Default.Report, ReportsApi.ArchiveColumns))
            .AddSingleton(sp => new ResourceStore<Item>(sp.GetRequiredService<DataStore>(), "item", AppJsonContext.Default.Item))
            .AddSingleton(sp => new ResourceStore<Integration>(sp.GetRequiredService<DataStore>(), "integration", AppJsonContext.Default.Integration));
}
