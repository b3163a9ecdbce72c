using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Email;

/// <summary>
/// The e-mail services as <c>AddEmail</c> registers them, over an in-memory configuration and a SQLite store of their
/// own (the sender records what it handed over), removed with the provider.
/// </summary>
internal static class EmailTestHost
{
    public static ServiceProvider Build(IDictionary<string, string?> settings, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var folder = new TempDirectory();
        var store = new SqliteTableServiceClient(Path.Combine(folder.Path, "data.db"), time ?? TimeProvider.System);
        store.GetTableClient(Keys.DataTable).CreateIfNotExistsAsync().GetAwaiter().GetResult();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ITableServiceClient>(store)
            .AddSingleton(new OwnedStore(store, folder))
            .AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        return services.AddEmail().BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}

/// <summary>Disposed with the provider: closes the store, then removes its folder.</summary>
internal sealed class OwnedStore(SqliteTableServiceClient store, TempDirectory folder) : IDisposable
{
    public void Dispose()
    {
        store.Dispose();
        folder.Dispose();
    }
}

/// <summary>A scratch folder that each test owns and removes.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ca-email-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
