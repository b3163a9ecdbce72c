namespace ConnectedAccounts.Functions.Outbox;

public static class OutboxSetup
{
    /// <summary>The relay of committed outbox rows (also run after each request's commit) and the projections' handler.</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        return services.AddSingleton<ProjectionHandler>();
    }
}
