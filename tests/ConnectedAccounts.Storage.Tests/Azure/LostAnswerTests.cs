using ConnectedAccounts.Storage.Azure;
using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;
using global::Azure.Core;

namespace ConnectedAccounts.Storage.Tests.Azure;

/// <summary>
/// A write whose first attempt was applied and whose answer was lost, on Azurite through a real Azure.Core pipeline:
/// the retry meets the write itself. The raw client calls that a conflict; <see cref="OwnWriteTableClient"/> tells
/// it apart from another writer's change.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LostAnswerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly StorageFaults _faults = new();
    private readonly string _tableName = AzuriteFixture.UniqueTableName();
    private readonly string _pk = "p-" + Guid.NewGuid().ToString("N");
    private AzureTableClient _raw = null!;

    private ITableClient Seam => new OwnWriteTableClient(_raw);

    public async Task InitializeAsync()
    {
        var options = new global::Azure.Data.Tables.TableClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.AddPolicy(_faults, HttpPipelinePosition.PerRetry);
        _raw = new AzureTableServiceClient(azurite.ConnectionString, options).GetTableClient(_tableName);
        await _raw.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _raw.DeleteAsync();

    public static TheoryData<bool> WithAndWithoutTheSeam => new() { true, false };

    [Theory]
    [MemberData(nameof(WithAndWithoutTheSeam))]
    public async Task An_insert_whose_answer_was_lost_succeeds_only_through_the_seam(bool seam)
    {
        var table = seam ? Seam : _raw;
        _faults.LoseWrite(1);

        var added = await table.AddEntityAsync(new TableEntity(_pk, "r") { ["Name"] = "Ada" });

        Assert.Equal(2, _faults.Writes);
        Assert.Equal(seam ? TableWriteStatus.Ok : TableWriteStatus.AlreadyExists, added.Status);
        if (seam)
        {
            Assert.Equal((await _raw.GetEntityIfExistsAsync(_pk, "r"))!.ETag, added.ETag);
        }
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutTheSeam))]
    public async Task An_update_whose_answer_was_lost_succeeds_only_through_the_seam(bool seam)
    {
        var table = seam ? Seam : _raw;
        var first = await table.AddEntityAsync(new TableEntity(_pk, "r") { ["Name"] = "Ada" });
        _faults.LoseWrite(1);

        var updated = await table.UpdateEntityAsync(new TableEntity(_pk, "r") { ["Name"] = "Grace" }, first.ETag, TableUpdateMode.Merge);

        Assert.Equal(seam ? TableWriteStatus.Ok : TableWriteStatus.PreconditionFailed, updated.Status);
        var stored = await _raw.GetEntityIfExistsAsync(_pk, "r");
        Assert.Equal("Grace", stored!.GetString("Name"));
        if (seam)
        {
            Assert.Equal(stored.ETag, updated.ETag);
        }
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutTheSeam))]
    public async Task A_batch_whose_answer_was_lost_succeeds_only_through_the_seam_with_every_new_etag(bool seam)
    {
        var table = seam ? Seam : _raw;
        var existing = await table.AddEntityAsync(new TableEntity(_pk, "a") { ["N"] = 1 });
        await table.AddEntityAsync(new TableEntity(_pk, "gone"));
        _faults.LoseWrite(1);

        var result = await table.SubmitTransactionAsync(
        [
            TableTransactionAction.Update(new TableEntity(_pk, "a") { ["N"] = 2 }, existing.ETag, TableUpdateMode.Replace),
            TableTransactionAction.Add(new TableEntity(_pk, "b") { ["N"] = 1 }),
            TableTransactionAction.Delete(_pk, "gone", ETag.Any),
        ]);

        Assert.Equal(seam, result.Succeeded);
        if (seam)
        {
            Assert.Equal((await _raw.GetEntityIfExistsAsync(_pk, "a"))!.ETag, result.ETags[0]);
            Assert.Equal((await _raw.GetEntityIfExistsAsync(_pk, "b"))!.ETag, result.ETags[1]);
            Assert.Equal(default, result.ETags[2]);
        }
    }

    [Fact]
    public async Task Another_writers_change_stays_a_conflict_through_the_seam()
    {
        var first = await Seam.AddEntityAsync(new TableEntity(_pk, "r") { ["Name"] = "Ada" });
        await Seam.UpdateEntityAsync(new TableEntity(_pk, "r") { ["Name"] = "someone else" }, first.ETag, TableUpdateMode.Replace);

        Assert.Equal(TableWriteStatus.AlreadyExists, (await Seam.AddEntityAsync(new TableEntity(_pk, "r"))).Status);
        Assert.Equal(TableWriteStatus.PreconditionFailed, (await Seam.UpdateEntityAsync(new TableEntity(_pk, "r") { ["Name"] = "late" }, first.ETag, TableUpdateMode.Replace)).Status);
        var batch = await Seam.SubmitTransactionAsync([TableTransactionAction.Update(new TableEntity(_pk, "r") { ["Name"] = "late" }, first.ETag, TableUpdateMode.Replace)]);
        Assert.Equal((false, TableWriteStatus.PreconditionFailed), (batch.Succeeded, batch.FailedStatus));
        Assert.Equal("someone else", (await _raw.GetEntityIfExistsAsync(_pk, "r"))!.GetString("Name"));
    }

    [Fact]
    public async Task On_sqlite_the_seam_keeps_every_conflict()
    {
        using var folder = new Sqlite.TemporaryFolder();
        using var sqlite = new SqliteTableServiceClient(Path.Combine(folder.Path, "db"), TimeProvider.System);
        var table = new OwnWriteTableServiceClient(sqlite).GetTableClient("seam");
        await table.CreateIfNotExistsAsync();
        var first = await table.AddEntityAsync(new TableEntity(_pk, "r"));
        await table.UpdateEntityAsync(new TableEntity(_pk, "r") { ["Name"] = "someone else" }, first.ETag, TableUpdateMode.Replace);

        Assert.Equal(TableWriteStatus.AlreadyExists, (await table.AddEntityAsync(new TableEntity(_pk, "r"))).Status);
        Assert.Equal(TableWriteStatus.PreconditionFailed, (await table.UpdateEntityAsync(new TableEntity(_pk, "r"), first.ETag, TableUpdateMode.Replace)).Status);
    }
}
