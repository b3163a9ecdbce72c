namespace ConnectedAccounts.Functions.Disconnection;

public static class DisconnectionSetup
{
    public static IServiceCollection AddDisconnection(this IServiceCollection services) =>
        services.AddSingleton<DisconnectionPlanner>()
            .AddSingleton<NarrowingPlanner>()
            .AddSingleton<DisconnectionStarter>()
            .AddSingleton<DisconnectionWorker>();
}
