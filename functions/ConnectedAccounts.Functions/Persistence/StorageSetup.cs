using System.ComponentModel.DataAnnotations;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using ConnectedAccounts.Storage;
using ConnectedAccounts.Storage.Azure;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Persistence;

public enum StorageProvider
{
    /// <summary>The embedded default: one SQLite file under <see cref="StorageOptions.DataPath"/>.</summary>
    Sqlite,
    AzureStorage,
}

/// <summary>Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    [Required]
    public string DataPath { get; set; } = "./data";

    /// <summary>For Azure Storage: a connection string (account key, or <c>UseDevelopmentStorage=true</c> for Azurite).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>For Azure Storage with a managed identity: the account's table and queue endpoints.</summary>
    public Uri? TableEndpoint { get; set; }

    public Uri? QueueEndpoint { get; set; }

    public string SqlitePath => Path.Combine(DataPath, "connected-accounts.db");
}

/// <summary>Checks the data annotations of <see cref="StorageOptions"/> with generated code instead of reflection at start-up.</summary>
[OptionsValidator]
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

public static class StorageSetup
{
    public static readonly string[] Tables = [Keys.DataTable, Keys.UsersTable, Keys.IdempotencyTable, Keys.OutboxMarkersTable];

    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        builder.Services.AddOptions<StorageOptions>().BindConfiguration("Storage")
            .Validate(
                o => o.Provider == StorageProvider.Sqlite || o.ConnectionString is { Length: > 0 } || (o.TableEndpoint is not null && o.QueueEndpoint is not null),
                "Storage:Provider=AzureStorage needs Storage:ConnectionString, or Storage:TableEndpoint and Storage:QueueEndpoint for a managed identity.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        // Every store's tables go through the write-id seam: a retried write whose first answer was lost is ours.
        builder.Services.AddSingleton<ITableServiceClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new OwnWriteTableServiceClient(o.Provider == StorageProvider.AzureStorage
                ? AzureTables(o, sp.GetService<TableClientOptions>())
                : new SqliteTableServiceClient(o.SqlitePath, sp.GetRequiredService<TimeProvider>()));
        });
        builder.Services.AddSingleton<IQueueServiceClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return o.Provider == StorageProvider.AzureStorage
                ? AzureQueues(o, sp.GetService<QueueClientOptions>())
                : new SqliteQueueServiceClient(o.SqlitePath, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddHostedService<StorageInitializer>();
        builder.Services.AddSingleton<DataStore>();
        return builder;
    }

    /// <summary>
    /// Each request reads one consistent view of the store until it writes (<see cref="ReadSnapshot"/>): the access
    /// decision and what it guards are read from the same committed state, and on SQLite a request takes the WAL
    /// read lock once instead of once per statement.
    /// </summary>
    public static IApplicationBuilder UseReadSnapshots(this IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            using var snapshot = ReadSnapshot.Begin();
            await next(context);
        });
        return app;
    }

    // The Azure clients are built in methods of their own: the code of a method that creates them loads the Azure SDK
    // assemblies when it first runs, and the embedded store should not pay for that at start-up. Client options
    // (retries, extra pipeline policies) come from the container when it has them.
    private static AzureTableServiceClient AzureTables(StorageOptions o, TableClientOptions? client) =>
        o.ConnectionString is { Length: > 0 } cs ? new(cs, client) : new(o.TableEndpoint!, new DefaultAzureCredential(), client);

    private static AzureQueueServiceClient AzureQueues(StorageOptions o, QueueClientOptions? client) =>
        o.ConnectionString is { Length: > 0 } cs ? new(cs, client) : new(o.QueueEndpoint!, new DefaultAzureCredential(), client);
}

/// <summary>
/// Creates the tables before the app takes requests. Queues are not created here: each is created by the first
/// message sent to it (<see cref="QueueClientExtensions.SendMessageCreatingQueueAsync"/>, poison queues included),
/// standalone each poller creates the queue it receives from when it starts, and under the Functions host the host
/// polls the trigger queues. So a cold start does not wait for a round trip per queue.
/// </summary>
public sealed class StorageInitializer(ITableServiceClient tables) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in StorageSetup.Tables)
        {
            await tables.GetTableClient(table).CreateIfNotExistsAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
