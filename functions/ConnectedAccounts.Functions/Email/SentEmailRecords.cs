using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// The record of each e-mail handed to the provider, by its idempotency key, so a redelivered message is not sent
/// twice. Each record has a row in a time-keyed index, written before it, so the <c>EmailRecordSweep</c> timer
/// deletes records past <see cref="EmailOptions.SentRecordRetention"/> by reading the expired range of that index,
/// never every record.
/// </summary>
public sealed class SentEmailRecords(ITableServiceClient tables, TimeProvider time, IOptions<EmailOptions> options, ILogger<SentEmailRecords> logger)
{
    private ITableClient Table => tables.GetTableClient(Keys.DataTable);

    public async Task<bool> WasSentAsync(string idempotencyKey, CancellationToken ct) =>
        await Table.GetEntityIfExistsAsync(Keys.SentEmailsPartition, EmailQueue.KeyHash(idempotencyKey), ct) is not null;

    public async Task RecordAsync(string idempotencyKey, CancellationToken ct)
    {
        var (row, now) = (EmailQueue.KeyHash(idempotencyKey), time.GetUtcNow());
        await Table.UpsertEntityAsync(new TableEntity(Keys.SentEmailsDuePartition, Keys.TimeOrdered(now, row)), TableUpdateMode.Replace, ct);
        await Table.UpsertEntityAsync(new TableEntity(Keys.SentEmailsPartition, row) { ["HandedOver"] = now }, TableUpdateMode.Replace, ct);
    }

    /// <summary>
    /// Deletes the records handed over before the retention and their index rows; returns how many records. A record
    /// written again since its index row (a send after the record had gone) is newer than the cutoff and stays.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.Value.SentRecordRetention;
        var deleted = await TimeIndex.SweepAsync(
            Table,
            new TableQuery { PartitionKey = Keys.SentEmailsDuePartition, RowKeyTo = Keys.TimeOrderedAfter(cutoff) },
            due => (Keys.SentEmailsPartition, due.RowKey[(due.RowKey.IndexOf('|', StringComparison.Ordinal) + 1)..]),
            record => record.GetDateTimeOffset("HandedOver") <= cutoff,
            ct);

        if (deleted > 0)
        {
            logger.LogInformation("Sent e-mail records past their retention deleted: {Deleted}.", deleted);
        }

        return deleted;
    }
}
