namespace ConnectedAccounts.Functions.Connections;

public static class ConnectionsSetup
{
    /// <summary>Not <c>AddConnections</c>: ASP.NET Core already has one, for its connection middleware.</summary>
    public static IServiceCollection AddAccountConnections(this IServiceCollection services) =>
        services.AddSingleton<ConnectionStore>()
            .AddSingleton<ConnectionAuthorization>()
            .AddSingleton<ConnectionExpiry>();
}
