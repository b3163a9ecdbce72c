using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Functions.Resources;
using ConnectedAccounts.Storage.Azure;
using ConnectedAccounts.Storage.Tables;
using ConnectedAccounts.Storage.Tests.Azure;
using global::Azure.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>
/// The real program on Azurite whose every storage request passes <see cref="Faults"/>, behind Azure.Core's own retry
/// policy (with short delays, so a sweep stays quick). Queues are driven by hand with <see cref="QueueDrain"/>.
/// </summary>
public class FaultyStorageApiFactory : AzureStorageApiFactory
{
    public StorageFaults Faults { get; } = new();

    /// <summary>The same Azurite without faults: another writer.</summary>
    public AzureTableServiceClient OtherWriter => Azurite.Tables;

    /// <summary>The e-mails written to the pickup folder for <paramref name="address"/>.</summary>
    public List<string> MailTo(string address)
    {
        var folder = Path.Combine(DataPath, "mail");
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.eml").Select(File.ReadAllText).Where(m => m.Contains(address, StringComparison.OrdinalIgnoreCase)).ToList()
            : [];
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton(Faulty(new global::Azure.Data.Tables.TableClientOptions()));
            services.AddSingleton(Faulty(new global::Azure.Storage.Queues.QueueClientOptions()));
        });
    }

    private T Faulty<T>(T options)
        where T : global::Azure.Core.ClientOptions
    {
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        options.AddPolicy(Faults, HttpPipelinePosition.PerRetry);
        return options;
    }

    /// <summary>The stored report rows of an account, read past the API (which shows an archived account's reports as archived).</summary>
    public async Task<List<TableEntity>> ReportRowsAsync(string accountId)
    {
        var rows = new List<TableEntity>();
        var data = Services.GetRequiredService<DataStore>().Data;
        await foreach (var row in data.QueryAllAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.ResourcePrefix(ReportsApi.Kind) }))
        {
            rows.Add(row);
        }

        return rows;
    }
}

/// <summary>The same, with the standalone queue pollers running on a three-second lease.</summary>
public sealed class FaultyStoragePollingApiFactory : FaultyStorageApiFactory
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    protected override bool RunBackgroundJobs => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Queues:MessageLease", Lease.ToString());
        builder.UseSetting("Queues:MaxPollingInterval", "00:00:00.500");
    }
}
