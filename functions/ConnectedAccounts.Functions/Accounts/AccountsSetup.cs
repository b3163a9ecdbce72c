namespace ConnectedAccounts.Functions.Accounts;

public static class AccountsSetup
{
    public static IServiceCollection AddAccounts(this IServiceCollection services) =>
        services.AddSingleton<AccessResolver>().AddSingleton<LastAccess>();
}
