using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;
using ConnectedAccounts.Storage.Tests.Conformance;

namespace ConnectedAccounts.Storage.Tests.Sqlite;

public sealed class SqliteTableStoreConformanceTests(TemporaryFolder folder)
    : TableStoreConformance, IClassFixture<TemporaryFolder>, IDisposable
{
    private SqliteTableServiceClient? _service;

    protected override ITableServiceClient CreateService() => _service = new SqliteTableServiceClient(folder.DatabasePath);

    public void Dispose() => _service?.Dispose();
}
