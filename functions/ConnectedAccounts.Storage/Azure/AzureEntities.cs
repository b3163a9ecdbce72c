using ConnectedAccounts.Storage.Tables;
using Sdk = global::Azure.Data.Tables;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>Our entities, ETags, modes and actions as Azure.Data.Tables has them, and back.</summary>
internal static class AzureEntities
{
    private static readonly HashSet<string> SystemProperties = new(StringComparer.Ordinal)
    {
        "PartitionKey", "RowKey", "Timestamp", "odata.etag",
    };

    public static Sdk.TableEntity ToSdk(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        TableKeys.Require(entity.PartitionKey, nameof(entity));
        TableKeys.Require(entity.RowKey, nameof(entity));
        var sdk = new Sdk.TableEntity(entity.PartitionKey, entity.RowKey);
        foreach (var (name, value) in entity.Properties)
        {
            sdk[name] = value;
        }

        return sdk;
    }

    public static TableEntity FromSdk(Sdk.TableEntity sdk)
    {
        var entity = new TableEntity(sdk.PartitionKey, sdk.RowKey)
        {
            ETag = new ETag(sdk.ETag.ToString()),
            Timestamp = sdk.Timestamp,
        };
        foreach (var (name, value) in sdk)
        {
            if (value is null || SystemProperties.Contains(name) || name.EndsWith("@odata.type", StringComparison.Ordinal))
            {
                continue;
            }

            // The SDK reads Edm.DateTime as DateTime (UTC); our entities hold DateTimeOffset, the one date type.
            entity[name] = value is DateTime date ? new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc)) : value;
        }

        return entity;
    }

    public static global::Azure.ETag ToSdk(ETag etag) => etag.IsAny ? global::Azure.ETag.All : new global::Azure.ETag(etag.Value);

    public static Sdk.TableUpdateMode ToSdk(TableUpdateMode mode) => mode switch
    {
        TableUpdateMode.Merge => Sdk.TableUpdateMode.Merge,
        _ => Sdk.TableUpdateMode.Replace,
    };

    public static Sdk.TableTransactionAction ToSdk(TableTransactionAction action) => action.ActionType switch
    {
        TableTransactionActionType.Add => new(Sdk.TableTransactionActionType.Add, ToSdk(action.Entity)),
        TableTransactionActionType.UpdateMerge => new(Sdk.TableTransactionActionType.UpdateMerge, ToSdk(action.Entity), ToSdk(action.ETag)),
        TableTransactionActionType.UpdateReplace => new(Sdk.TableTransactionActionType.UpdateReplace, ToSdk(action.Entity), ToSdk(action.ETag)),
        TableTransactionActionType.UpsertMerge => new(Sdk.TableTransactionActionType.UpsertMerge, ToSdk(action.Entity)),
        TableTransactionActionType.UpsertReplace => new(Sdk.TableTransactionActionType.UpsertReplace, ToSdk(action.Entity)),
        TableTransactionActionType.Delete => new(Sdk.TableTransactionActionType.Delete, ToSdk(action.Entity), ToSdk(action.ETag)),
        _ => throw new ArgumentException($"Unknown action type {action.ActionType}.", nameof(action)),
    };
}
