using System.Globalization;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Outbox;

/// <summary>
/// A side effect waiting to be sent: the queue it goes to and the message text. Written in the same batch as the
/// state change it describes; the relay sends it and then deletes it.
/// </summary>
public sealed record OutboxEntry(string Queue, string Body)
{
    public TableEntity ToEntity(string partitionKey, DateTimeOffset at)
    {
        var rowKey = Persistence.Keys.OutboxPrefix + at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + Guid.NewGuid().ToString("N");
        return new TableEntity(partitionKey, rowKey) { ["Queue"] = Queue, ["Body"] = Body };
    }

    public static OutboxEntry FromEntity(TableEntity entity) =>
        new(entity.GetString("Queue") ?? "", entity.GetString("Body") ?? "");
}
