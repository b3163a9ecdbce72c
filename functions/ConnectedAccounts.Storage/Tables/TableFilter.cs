using System.Globalization;

namespace ConnectedAccounts.Storage.Tables;

/// <summary>
/// Builds OData $filter text. Every value goes through <see cref="Literal"/>, so nothing a user typed can change
/// the shape of a filter (mirrors Azure.Data.Tables' TableClient.CreateQueryFilter).
/// </summary>
public static class TableFilter
{
    public static string Literal(object value) => value switch
    {
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        Guid g => "guid'" + g.ToString("D") + "'",
        DateTimeOffset t => "datetime'" + t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture) + "'",
        byte[] bytes => "X'" + Convert.ToHexString(bytes) + "'",
        _ => throw new ArgumentException($"Unsupported filter value type {value.GetType()}.", nameof(value)),
    };

    /// <summary>A filter from a format string whose arguments are all escaped: <c>Create($"PartitionKey eq {pk}")</c>.</summary>
    public static string Create(FormattableString filter)
    {
        var args = filter.GetArguments().Select(a => (object)Literal(a ?? throw new ArgumentException("Null filter value.", nameof(filter)))).ToArray();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, args);
    }

    /// <summary>The structured query as a $filter: partition equality plus the row key range it asks for.</summary>
    public static string ForQuery(TableQuery query)
    {
        var filter = Create($"PartitionKey eq {query.PartitionKey}");
        var (from, to) = RowKeyRange(query);
        if (from is not null)
        {
            filter += Create($" and RowKey ge {from}");
        }

        if (to is not null)
        {
            filter += Create($" and RowKey lt {to}");
        }

        return filter;
    }

    /// <summary>A prefix becomes [prefix, prefix with its last character incremented).</summary>
    public static (string? From, string? To) RowKeyRange(TableQuery query)
    {
        if (query.RowKeyPrefix is { Length: > 0 } prefix)
        {
            var last = prefix[^1];
            var upper = last == char.MaxValue ? null : prefix[..^1] + (char)(last + 1);
            return (prefix, upper);
        }

        return (query.RowKeyFrom, query.RowKeyTo);
    }
}
