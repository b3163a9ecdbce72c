namespace ConnectedAccounts.Storage;

/// <summary>
/// Lets the reads of one unit of work (an API request) share one consistent view of the store until the work
/// writes. SQLite answers them inside one read transaction: the WAL read lock is taken once instead of once per
/// statement, and every read sees the same committed state. Stores that have no such thing (Azure Tables, where
/// every request stands alone) ignore it. A write in the flow ends the view first, so what is read after a write
/// includes it. Reads in a flow without a snapshot each stand alone, as before. Reads the flow runs at the same
/// time (tasks started in parallel) never share a connection: one that finds the view in use opens a view of its own.
/// </summary>
public sealed class ReadSnapshot : IDisposable
{
    private static readonly AsyncLocal<ReadSnapshot?> CurrentValue = new();

    private readonly Lock _gate = new();
    private readonly List<(object Store, IHeldRead Read)> _held = [];
    private readonly ReadSnapshot? _outer;
    private bool _disposed;

    private ReadSnapshot(ReadSnapshot? outer) => _outer = outer;

    /// <summary>Starts a snapshot for the current async flow (and the tasks it starts) until it is disposed.</summary>
    public static ReadSnapshot Begin()
    {
        var snapshot = new ReadSnapshot(CurrentValue.Value);
        CurrentValue.Value = snapshot;
        return snapshot;
    }

    internal static ReadSnapshot? Current => CurrentValue.Value;

    /// <summary>A write is about to run in this flow: ends the open reads, so reads after the write see it.</summary>
    internal static void BeforeWrite()
    {
        for (var snapshot = CurrentValue.Value; snapshot is not null; snapshot = snapshot._outer)
        {
            snapshot.EndHeld();
        }
    }

    /// <summary>The open read <paramref name="store"/> left here, taken out so no other read shares it meanwhile.</summary>
    internal IHeldRead? Take(object store)
    {
        lock (_gate)
        {
            var index = _held.FindIndex(held => ReferenceEquals(held.Store, store));
            if (index < 0)
            {
                return null;
            }

            var read = _held[index].Read;
            _held.RemoveAt(index);
            return read;
        }
    }

    /// <summary>Keeps an open read for the flow's next read from <paramref name="store"/>; false once the snapshot has ended.</summary>
    internal bool Hold(object store, IHeldRead read)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _held.Add((store, read));
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        EndHeld();
        if (ReferenceEquals(CurrentValue.Value, this))
        {
            CurrentValue.Value = _outer;
        }
    }

    private void EndHeld()
    {
        IHeldRead[] ending;
        lock (_gate)
        {
            if (_held.Count == 0)
            {
                return;
            }

            ending = [.. _held.Select(held => held.Read)];
            _held.Clear();
        }

        foreach (var read in ending)
        {
            read.End();
        }
    }
}

/// <summary>A store's open read kept by a <see cref="ReadSnapshot"/> between the reads of its flow.</summary>
internal interface IHeldRead
{
    /// <summary>Ends the read (its view of the store) and gives back what it held.</summary>
    void End();
}
