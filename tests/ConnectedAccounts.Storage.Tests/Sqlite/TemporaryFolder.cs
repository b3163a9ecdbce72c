namespace ConnectedAccounts.Storage.Tests.Sqlite;

/// <summary>A folder of its own for one test class's database files, deleted afterwards.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "connected-accounts-tests", Guid.NewGuid().ToString("N"))).FullName;

    public string DatabasePath => System.IO.Path.Combine(Path, "connected-accounts.db");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
