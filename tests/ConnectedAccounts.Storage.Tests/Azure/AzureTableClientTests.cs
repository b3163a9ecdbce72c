using ConnectedAccounts.Storage.Azure;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Storage.Tests.Azure;

[Collection(AzuriteCollection.Name)]
public sealed class AzureTableClientTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly AzureTableClient _table = azurite.Tables.GetTableClient(AzuriteFixture.UniqueTableName());
    private readonly string _pk = "p-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => _table.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Creating_an_existing_table_is_fine()
    {
        await _table.CreateIfNotExistsAsync();
    }

    [Fact]
    public async Task Point_read_of_a_missing_entity_is_null()
    {
        Assert.Null(await _table.GetEntityIfExistsAsync(_pk, "missing"));
    }

    [Fact]
    public async Task Insert_then_read_returns_the_entity_and_its_etag()
    {
        var added = await _table.AddEntityAsync(new TableEntity(_pk, "r1") { ["Name"] = "Ada" });

        var read = await _table.GetEntityIfExistsAsync(_pk, "r1");

        Assert.True(added.Succeeded);
        Assert.NotNull(read);
        Assert.Equal("Ada", read.GetString("Name"));
        Assert.Equal(added.ETag, read.ETag);
        Assert.NotNull(read.Timestamp);
    }

    [Fact]
    public async Task Inserting_twice_reports_already_exists()
    {
        await _table.AddEntityAsync(new TableEntity(_pk, "r1"));

        var second = await _table.AddEntityAsync(new TableEntity(_pk, "r1"));

        Assert.Equal(TableWriteStatus.AlreadyExists, second.Status);
    }

    [Fact]
    public async Task Replace_with_the_current_etag_wins_and_a_stale_etag_fails()
    {
        var added = await _table.AddEntityAsync(new TableEntity(_pk, "r1") { ["A"] = 1, ["B"] = 2 });

        var replaced = await _table.UpdateEntityAsync(new TableEntity(_pk, "r1") { ["A"] = 10 }, added.ETag, TableUpdateMode.Replace);
        var stale = await _table.UpdateEntityAsync(new TableEntity(_pk, "r1") { ["A"] = 20 }, added.ETag, TableUpdateMode.Replace);

        Assert.True(replaced.Succeeded);
        Assert.NotEqual(added.ETag, replaced.ETag);
        Assert.Equal(TableWriteStatus.PreconditionFailed, stale.Status);
        var read = await _table.GetEntityIfExistsAsync(_pk, "r1");
        Assert.Equal(10, read!.GetInt32("A"));
        Assert.Null(read["B"]);
    }

    [Fact]
    public async Task Merge_keeps_the_properties_it_does_not_mention()
    {
        var added = await _table.AddEntityAsync(new TableEntity(_pk, "r1") { ["A"] = 1, ["B"] = 2 });

        var merged = await _table.UpdateEntityAsync(new TableEntity(_pk, "r1") { ["A"] = 10 }, added.ETag, TableUpdateMode.Merge);

        Assert.True(merged.Succeeded);
        var read = await _table.GetEntityIfExistsAsync(_pk, "r1");
        Assert.Equal(10, read!.GetInt32("A"));
        Assert.Equal(2, read.GetInt32("B"));
    }

    [Fact]
    public async Task Updating_a_missing_entity_reports_not_found()
    {
        var replace = await _table.UpdateEntityAsync(new TableEntity(_pk, "nope"), ETag.Any, TableUpdateMode.Replace);
        var merge = await _table.UpdateEntityAsync(new TableEntity(_pk, "nope"), ETag.Any, TableUpdateMode.Merge);

        Assert.Equal(TableWriteStatus.NotFound, replace.Status);
        Assert.Equal(TableWriteStatus.NotFound, merge.Status);
    }

    [Fact]
    public async Task Upsert_inserts_then_replaces_or_merges_without_an_etag()
    {
        var inserted = await _table.UpsertEntityAsync(new TableEntity(_pk, "r1") { ["A"] = 1, ["B"] = 2 }, TableUpdateMode.Replace);
        var merged = await _table.UpsertEntityAsync(new TableEntity(_pk, "r1") { ["A"] = 3 }, TableUpdateMode.Merge);
        var mergedRead = await _table.GetEntityIfExistsAsync(_pk, "r1");
        var replaced = await _table.UpsertEntityAsync(new TableEntity(_pk, "r1") { ["C"] = "c" }, TableUpdateMode.Replace);
        var replacedRead = await _table.GetEntityIfExistsAsync(_pk, "r1");

        Assert.True(inserted.Succeeded && merged.Succeeded && replaced.Succeeded);
        Assert.Equal((3, 2), (mergedRead!.GetInt32("A"), mergedRead.GetInt32("B")));
        Assert.Equal(["C"], replacedRead!.Properties.Keys);
    }

    [Fact]
    public async Task Delete_honours_the_etag_and_reports_a_missing_entity()
    {
        var added = await _table.AddEntityAsync(new TableEntity(_pk, "r1"));
        var updated = await _table.UpdateEntityAsync(new TableEntity(_pk, "r1") { ["A"] = 1 }, added.ETag, TableUpdateMode.Replace);

        var stale = await _table.DeleteEntityAsync(_pk, "r1", added.ETag);
        var deleted = await _table.DeleteEntityAsync(_pk, "r1", updated.ETag);
        var again = await _table.DeleteEntityAsync(_pk, "r1", ETag.Any);

        Assert.Equal(TableWriteStatus.PreconditionFailed, stale.Status);
        Assert.True(deleted.Succeeded);
        Assert.Equal(TableWriteStatus.NotFound, again.Status);
        Assert.Null(await _table.GetEntityIfExistsAsync(_pk, "r1"));
    }

    [Fact]
    public async Task Typed_properties_round_trip()
    {
        var when = new DateTimeOffset(2026, 11, 22, 10, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567);
        var id = Guid.NewGuid();
        var entity = new TableEntity(_pk, "typed")
        {
            ["Text"] = "hello",
            ["Int"] = int.MinValue,
            ["Long"] = long.MaxValue,
            ["Double"] = 1.0,
            ["Fraction"] = 0.1,
            ["NaN"] = double.NaN,
            ["True"] = true,
            ["False"] = false,
            ["When"] = when,
            ["Id"] = id,
            ["Bytes"] = new byte[] { 0, 1, 2, 255 },
        };

        await _table.AddEntityAsync(entity);
        var read = await _table.GetEntityIfExistsAsync(_pk, "typed");

        Assert.NotNull(read);
        Assert.Equal("hello", read["Text"]);
        Assert.Equal(int.MinValue, read["Int"]);
        Assert.Equal(long.MaxValue, read["Long"]);
        Assert.Equal(1.0, read["Double"]);
        Assert.Equal(0.1, read["Fraction"]);
        Assert.Equal(double.NaN, read["NaN"]);
        Assert.Equal(true, read["True"]);
        Assert.Equal(false, read["False"]);
        Assert.Equal(when, read["When"]);
        Assert.Equal(id, read["Id"]);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, read["Bytes"]);
    }

    [Theory]
    [InlineData("o'brien")]
    [InlineData("''")]
    [InlineData("a b+c&d=e%f")]
    [InlineData("ünïcødé-日本-🎉")]
    [InlineData("(PartitionKey='x')")]
    [InlineData("x' or RowKey ne '")]
    public async Task Keys_and_values_with_special_characters_round_trip(string text)
    {
        var added = await _table.AddEntityAsync(new TableEntity(_pk + text, text) { ["Value"] = text });

        var read = await _table.GetEntityIfExistsAsync(_pk + text, text);
        var page = await _table.QueryAsync(new TableQuery { PartitionKey = _pk + text, RowKeyPrefix = text });
        var updated = await _table.UpdateEntityAsync(new TableEntity(_pk + text, text) { ["Value"] = text + "!" }, added.ETag, TableUpdateMode.Merge);
        var deleted = await _table.DeleteEntityAsync(_pk + text, text, updated.ETag);

        Assert.True(added.Succeeded);
        Assert.Equal(text, read!.GetString("Value"));
        Assert.Equal(text, Assert.Single(page.Items).RowKey);
        Assert.True(updated.Succeeded);
        Assert.True(deleted.Succeeded);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\nb")]
    [InlineData("")]
    public async Task Invalid_keys_are_refused_before_any_request(string key)
    {
        using var scope = StorageRequestCounter.BeginScope();

        await Assert.ThrowsAsync<ArgumentException>(() => _table.GetEntityIfExistsAsync(_pk, key));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddEntityAsync(new TableEntity(key, "r")));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.QueryAsync(new TableQuery { PartitionKey = key }));

        Assert.Equal(0, scope.Count);
    }

    [Fact]
    public async Task A_query_pages_with_continuation_tokens_until_it_has_every_row()
    {
        for (var i = 0; i < 23; i++)
        {
            await _table.AddEntityAsync(new TableEntity(_pk, $"row{i:D3}") { ["I"] = i });
        }

        await _table.AddEntityAsync(new TableEntity(_pk + "-other", "row000"));

        var rows = new List<TableEntity>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await _table.QueryAsync(new TableQuery { PartitionKey = _pk, Top = 5, ContinuationToken = token });
            Assert.True(page.Items.Count <= 5);
            rows.AddRange(page.Items);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"row{i:D3}"), rows.Select(r => r.RowKey));
        Assert.InRange(pages, 5, 6);
    }

    [Fact]
    public async Task Prefix_and_range_queries_return_only_matching_rows_with_selected_properties()
    {
        foreach (var key in new[] { "a", "ab", "abc", "abd", "b", "ac" })
        {
            await _table.AddEntityAsync(new TableEntity(_pk, key) { ["Keep"] = key, ["Drop"] = "x" });
        }

        var prefix = await _table.QueryAsync(new TableQuery { PartitionKey = _pk, RowKeyPrefix = "ab", Select = ["Keep"] });
        var range = await _table.QueryAsync(new TableQuery { PartitionKey = _pk, RowKeyFrom = "ab", RowKeyTo = "b" });

        Assert.Equal(["ab", "abc", "abd"], prefix.Items.Select(e => e.RowKey));
        Assert.All(prefix.Items, e => Assert.Equal(["Keep"], e.Properties.Keys));
        Assert.All(prefix.Items, e => Assert.False(e.ETag.IsAny));
        Assert.Equal(["ab", "abc", "abd", "ac"], range.Items.Select(e => e.RowKey));
        Assert.Null(prefix.ContinuationToken);
    }

    [Fact]
    public async Task A_batch_applies_every_action_and_returns_their_etags()
    {
        var existing = await _table.AddEntityAsync(new TableEntity(_pk, "existing") { ["A"] = 1 });
        await _table.AddEntityAsync(new TableEntity(_pk, "doomed"));

        var result = await _table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(new TableEntity(_pk, "new") { ["A"] = 1L }),
            TableTransactionAction.Update(new TableEntity(_pk, "existing") { ["B"] = 2 }, existing.ETag, TableUpdateMode.Merge),
            TableTransactionAction.Upsert(new TableEntity(_pk, "upserted") { ["C"] = "o'k" }, TableUpdateMode.Replace),
            TableTransactionAction.Delete(_pk, "doomed", ETag.Any),
        ]);

        Assert.True(result.Succeeded);
        Assert.Equal(4, result.ETags.Count);
        var added = await _table.GetEntityIfExistsAsync(_pk, "new");
        Assert.Equal(result.ETags[0], added!.ETag);
        var merged = await _table.GetEntityIfExistsAsync(_pk, "existing");
        Assert.Equal((1, 2), (merged!.GetInt32("A"), merged.GetInt32("B")));
        Assert.Equal("o'k", (await _table.GetEntityIfExistsAsync(_pk, "upserted"))!.GetString("C"));
        Assert.Null(await _table.GetEntityIfExistsAsync(_pk, "doomed"));
    }

    [Fact]
    public async Task A_failing_batch_changes_nothing_and_names_the_failing_action()
    {
        await _table.AddEntityAsync(new TableEntity(_pk, "taken"));

        var result = await _table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(new TableEntity(_pk, "first")),
            TableTransactionAction.Upsert(new TableEntity(_pk, "second"), TableUpdateMode.Replace),
            TableTransactionAction.Add(new TableEntity(_pk, "taken")),
        ]);

        Assert.False(result.Succeeded);
        Assert.Equal(2, result.FailedIndex);
        Assert.Equal(TableWriteStatus.AlreadyExists, result.FailedStatus);
        Assert.Null(await _table.GetEntityIfExistsAsync(_pk, "first"));
        Assert.Null(await _table.GetEntityIfExistsAsync(_pk, "second"));
    }

    [Fact]
    public async Task A_batch_update_of_a_missing_entity_fails_with_not_found()
    {
        var result = await _table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(new TableEntity(_pk, "first")),
            TableTransactionAction.Update(new TableEntity(_pk, "missing"), ETag.Any, TableUpdateMode.Replace),
        ]);

        Assert.Equal((false, 1, TableWriteStatus.NotFound), (result.Succeeded, result.FailedIndex, result.FailedStatus));
        Assert.Null(await _table.GetEntityIfExistsAsync(_pk, "first"));
    }

    [Theory]
    [InlineData(TableTransactionActionType.UpdateMerge)]
    [InlineData(TableTransactionActionType.UpdateReplace)]
    [InlineData(TableTransactionActionType.Delete)]
    public async Task A_batch_action_with_a_stale_etag_fails_the_whole_batch(TableTransactionActionType type)
    {
        // PLATFORM.md warns that Azurite ignores If-Match in batches; 3.37 honours it, and this keeps it proven.
        var added = await _table.AddEntityAsync(new TableEntity(_pk, "r") { ["V"] = 1 });
        await _table.UpdateEntityAsync(new TableEntity(_pk, "r") { ["V"] = 2 }, added.ETag, TableUpdateMode.Replace);

        var result = await _table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(new TableEntity(_pk, "new")),
            new TableTransactionAction(type, new TableEntity(_pk, "r") { ["V"] = 3 }, added.ETag),
        ]);

        Assert.Equal((false, 1, TableWriteStatus.PreconditionFailed), (result.Succeeded, result.FailedIndex, result.FailedStatus));
        Assert.Null(await _table.GetEntityIfExistsAsync(_pk, "new"));
        Assert.Equal(2, (await _table.GetEntityIfExistsAsync(_pk, "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task A_batch_of_one_hundred_succeeds_in_one_request()
    {
        var actions = Enumerable.Range(0, 100).Select(i => TableTransactionAction.Add(new TableEntity(_pk, $"r{i:D3}") { ["I"] = i })).ToList();
        using var scope = StorageRequestCounter.BeginScope();

        var result = await _table.SubmitTransactionAsync(actions);

        Assert.True(result.Succeeded);
        Assert.Equal(1, scope.Count);
        Assert.Equal(100, (await _table.QueryAsync(new TableQuery { PartitionKey = _pk })).Items.Count);
    }

    [Fact]
    public async Task Batches_beyond_the_service_limits_are_refused_client_side()
    {
        var tooMany = Enumerable.Range(0, 101).Select(i => TableTransactionAction.Add(new TableEntity(_pk, $"r{i}"))).ToList();
        var mixed = new[] { TableTransactionAction.Add(new TableEntity(_pk, "a")), TableTransactionAction.Add(new TableEntity(_pk + "x", "b")) };
        var twice = new[] { TableTransactionAction.Add(new TableEntity(_pk, "a")), TableTransactionAction.Upsert(new TableEntity(_pk, "a"), TableUpdateMode.Replace) };
        var big = new string('x', 30_000);
        var tooLarge = Enumerable.Range(0, 100).Select(i => TableTransactionAction.Add(new TableEntity(_pk, $"r{i}") { ["A"] = big, ["B"] = big })).ToList();
        using var scope = StorageRequestCounter.BeginScope();

        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync(tooMany));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync(mixed));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync(twice));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync(tooLarge));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync([]));

        Assert.Equal(0, scope.Count);
    }

    [Fact]
    public async Task Each_single_entity_operation_costs_one_request()
    {
        using var scope = StorageRequestCounter.BeginScope();
        var added = await _table.AddEntityAsync(new TableEntity(_pk, "r1"));
        var afterAdd = scope.Count;
        await _table.GetEntityIfExistsAsync(_pk, "r1");
        await _table.UpdateEntityAsync(new TableEntity(_pk, "r1"), added.ETag, TableUpdateMode.Replace);
        await _table.QueryAsync(new TableQuery { PartitionKey = _pk });

        Assert.Equal(1, afterAdd);
        Assert.Equal(4, scope.Count);
    }

    [Fact]
    public void Table_names_are_validated()
    {
        Assert.Throws<ArgumentException>(() => azurite.Tables.GetTableClient("1abc"));
        Assert.Throws<ArgumentException>(() => azurite.Tables.GetTableClient("ab"));
        Assert.Throws<ArgumentException>(() => azurite.Tables.GetTableClient("has-dash"));
    }
}
