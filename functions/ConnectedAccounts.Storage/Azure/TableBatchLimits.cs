using System.Text.Json;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// The rules of an entity group transaction that Azurite and the SDK leave to the real service, checked before
/// sending so a batch that Azure would refuse fails in tests, not in production: 1–100 actions, one partition,
/// each row once, an ETag on every update and delete, and at most 4 MiB of payload.
/// </summary>
internal static class TableBatchLimits
{
    public const int MaxActions = 100;
    public const int MaxPayloadBytes = 4 * 1024 * 1024;

    /// <summary>Per action: the changeset part's boundary, headers and request line (URLs included), generously.</summary>
    private const int PartOverheadBytes = 1024;

    public static void Check(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxActions)
        {
            throw new ArgumentException($"A transaction holds 1 to {MaxActions} actions, not {actions.Count}.", nameof(actions));
        }

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var action in actions)
        {
            TableKeys.Require(action.Entity.PartitionKey, nameof(actions));
            TableKeys.Require(action.Entity.RowKey, nameof(actions));
            if (!string.Equals(action.Entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException("All actions of a transaction must share one partition key.", nameof(actions));
            }

            if (!rowKeys.Add(action.Entity.RowKey))
            {
                throw new ArgumentException($"Row '{action.Entity.RowKey}' appears twice; a transaction touches each entity once.", nameof(actions));
            }

            if (action.ActionType is TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpdateReplace or TableTransactionActionType.Delete &&
                string.IsNullOrEmpty(action.ETag.Value))
            {
                throw new ArgumentException("Updates and deletes in a transaction need an ETag (or ETag.Any).", nameof(actions));
            }

            bytes += PartOverheadBytes + (action.ActionType == TableTransactionActionType.Delete ? 0 : JsonBytes(action.Entity));
            if (bytes > MaxPayloadBytes)
            {
                throw new ArgumentException($"The transaction is larger than {MaxPayloadBytes} bytes.", nameof(actions));
            }
        }
    }

    /// <summary>The entity's JSON as the service receives it, with the type annotations of non-JSON types.</summary>
    private static long JsonBytes(TableEntity entity)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("PartitionKey", entity.PartitionKey);
            json.WriteString("RowKey", entity.RowKey);
            foreach (var (name, value) in entity.Properties)
            {
                switch (value)
                {
                    case string text:
                        json.WriteString(name, text);
                        break;
                    case byte[] binary:
                        json.WriteBase64String(name, binary);
                        json.WriteString(name + "@odata.type", "Edm.Binary");
                        break;
                    default:
                        json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                        json.WriteString(name + "@odata.type", "Edm.Int64");
                        break;
                }
            }

            json.WriteEndObject();
        }

        return buffer.Length;
    }
}
