namespace ConnectedAccounts.Storage;

/// <summary>
/// Counts storage round trips so tests and benchmarks can state what one API call costs. Every storage
/// implementation calls <see cref="Increment"/> once per request it actually sends (for HTTP backends that
/// includes each retry attempt, because each attempt is a billed, timed round trip; for SQLite one statement
/// or transaction is one request). Counts go to every scope open in the current async flow and to
/// <see cref="Total"/>.
/// </summary>
public static class StorageRequestCounter
{
    private static readonly AsyncLocal<StorageRequestScope?> Current = new();
    private static long _total;

    /// <summary>All requests counted in this process since it started.</summary>
    public static long Total => Interlocked.Read(ref _total);

    /// <summary>Starts counting for the current async flow (and the tasks it starts) until the scope is disposed.</summary>
    public static StorageRequestScope BeginScope()
    {
        var scope = new StorageRequestScope(Current.Value);
        Current.Value = scope;
        return scope;
    }

    public static void Increment()
    {
        Interlocked.Increment(ref _total);
        for (var scope = Current.Value; scope is not null; scope = scope.Parent)
        {
            scope.Add();
        }
    }

    internal static void End(StorageRequestScope scope)
    {
        if (ReferenceEquals(Current.Value, scope))
        {
            Current.Value = scope.Parent;
        }
    }
}

/// <summary>The requests counted since <see cref="StorageRequestCounter.BeginScope"/>; nested scopes also count toward their parents.</summary>
public sealed class StorageRequestScope : IDisposable
{
    private long _count;
    private bool _disposed;

    internal StorageRequestScope(StorageRequestScope? parent) => Parent = parent;

    internal StorageRequestScope? Parent { get; }

    public long Count => Interlocked.Read(ref _count);

    internal void Add()
    {
        if (!_disposed)
        {
            Interlocked.Increment(ref _count);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        StorageRequestCounter.End(this);
    }
}
