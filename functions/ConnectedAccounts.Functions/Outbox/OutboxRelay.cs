using System.Threading.Channels;
using ConnectedAccounts.Functions.Events;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Outbox;

/// <summary>
/// Moves outbox rows to their queues: right after each commit (in the background, so the request does not wait)
/// and on the sweep timer for partitions a crash left behind. A row is deleted only after its message is queued,
/// so a crash in between sends it twice, never zero times; the handlers are idempotent.
/// </summary>
/// <param name="events">Where <see cref="IntegrationEvents.OutboxTarget"/> rows go; none configured, none are written.</param>
public sealed class OutboxRelay(ITableServiceClient tables, IQueueServiceClient queues, ILogger<OutboxRelay> logger, IntegrationEvents? events = null) : BackgroundService
{
    private const string MarkerPartition = "pending";
    private readonly Channel<string> _notified = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ProjectionHandler _projections = new(tables);

    private ITableClient Markers => tables.GetTableClient(Keys.OutboxMarkersTable);

    private ITableClient Data => tables.GetTableClient(Keys.DataTable);

    public Task MarkPendingAsync(string partitionKey, CancellationToken cancellationToken) =>
        Markers.UpsertEntityAsync(new TableEntity(MarkerPartition, partitionKey), TableUpdateMode.Replace, cancellationToken);

    public void Notify(string partitionKey) => _notified.Writer.TryWrite(partitionKey);

    /// <summary>
    /// Applies the index updates of a batch that just committed, before the request answers, so the user's next
    /// read of the switcher or the agency's client list shows the change. The same messages still travel through
    /// the outbox and the queue, which stays the guarantee after a crash; applying one twice is a no-op.
    /// </summary>
    public async Task ApplyProjectionsAsync(IReadOnlyList<ProjectionMessage> messages, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var message in messages)
            {
                await _projections.ApplyAsync(message, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The change itself committed; the queued copy of each message applies it shortly.
            logger.LogWarning(ex, "Applying the index updates of a commit at once failed; the outbox delivers them");
        }
    }

    /// <summary>
    /// Sends every outbox row of one partition; returns how many were sent, and how many it had to leave (events
    /// Service Bus would not take now: they wait for the next sweep, and the partition's other rows still go).
    /// </summary>
    public async Task<(int Sent, int Left)> RelayPartitionAsync(string partitionKey, CancellationToken cancellationToken)
    {
        var (sent, left) = (0, 0);
        await foreach (var row in Data.QueryAllAsync(new TableQuery { PartitionKey = partitionKey, RowKeyPrefix = Keys.OutboxPrefix }, cancellationToken))
        {
            var entry = OutboxEntry.FromEntity(row);
            if (entry.Queue == IntegrationEvents.OutboxTarget)
            {
                if (events is null || !await events.TryPublishAsync(entry.Body, cancellationToken))
                {
                    left++;
                    continue;
                }
            }
            else
            {
                await queues.GetQueueClient(entry.Queue).SendMessageCreatingQueueAsync(entry.Body, cancellationToken);
            }

            await Data.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
            sent++;
        }

        return (sent, left);
    }

    /// <summary>Relays every partition still marked, and clears the marks of partitions that are empty.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        await foreach (var marker in Markers.QueryAllAsync(new TableQuery { PartitionKey = MarkerPartition }, cancellationToken))
        {
            var (relayed, left) = await RelayPartitionAsync(marker.RowKey, cancellationToken);
            sent += relayed;

            // A writer that marked the partition again since we read the marker changed its ETag, so this
            // delete fails and the marker stays for the next sweep; so does a partition with rows left.
            if (left == 0)
            {
                await Markers.DeleteEntityAsync(MarkerPartition, marker.RowKey, marker.ETag, cancellationToken);
            }
        }

        return sent;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var partition in _notified.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RelayPartitionAsync(partition, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The marker stays, so the sweep retries this partition; nothing is lost.
                logger.LogWarning(ex, "Relaying the outbox of partition {Partition} failed; the sweep will retry", partition);
            }
        }
    }
}
