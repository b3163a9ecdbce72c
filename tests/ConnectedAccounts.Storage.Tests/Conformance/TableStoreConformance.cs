using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Storage.Tests.Conformance;

/// <summary>
/// The behaviour every table store must show, written once against <see cref="ITableServiceClient"/>. A backend
/// plugs in by subclassing and returning its service from <see cref="CreateService"/>. Each test creates its own
/// table (and partition), so tests never see each other's rows and can run in any order.
/// </summary>
public abstract class TableStoreConformance
{
    private ITableServiceClient? _service;

    /// <summary>The store under test. Called at most once per test instance.</summary>
    protected abstract ITableServiceClient CreateService();

    protected ITableServiceClient Service => _service ??= CreateService();

    protected async Task<ITableClient> NewTableAsync()
    {
        // Table names: alphanumeric, starting with a letter, 3-63 characters.
        var table = Service.GetTableClient("t" + Guid.NewGuid().ToString("N"));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    protected static string NewPartition() => "p-" + Guid.NewGuid().ToString("N");

    private static TableEntity Entity(string pk, string rk, params (string Name, object Value)[] properties)
    {
        var entity = new TableEntity(pk, rk);
        foreach (var (name, value) in properties)
        {
            entity[name] = value;
        }

        return entity;
    }

    private static async Task<List<TableEntity>> QueryAllAsync(ITableClient table, TableQuery query)
    {
        var all = new List<TableEntity>();
        var current = query;
        while (true)
        {
            var page = await table.QueryAsync(current);
            if (query.Top is int top)
            {
                Assert.True(page.Items.Count <= top, $"A page held {page.Items.Count} rows, more than Top={top}.");
            }

            all.AddRange(page.Items);
            if (page.ContinuationToken is null)
            {
                return all;
            }

            current = current with { ContinuationToken = page.ContinuationToken };
        }
    }

    private static async Task AddRowsAsync(ITableClient table, string pk, IEnumerable<string> rowKeys)
    {
        foreach (var chunk in rowKeys.Chunk(100))
        {
            var result = await table.SubmitTransactionAsync(chunk.Select(rk => TableTransactionAction.Add(Entity(pk, rk, ("N", rk)))).ToList());
            Assert.True(result.Succeeded);
        }
    }

    [Fact]
    public async Task Point_read_returns_the_added_entity_with_its_etag_and_a_timestamp()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();

        var added = await table.AddEntityAsync(Entity(pk, "r1", ("Name", "Ada")));
        var read = await table.GetEntityIfExistsAsync(pk, "r1");

        Assert.Equal(TableWriteStatus.Ok, added.Status);
        Assert.NotNull(read);
        Assert.Equal(pk, read.PartitionKey);
        Assert.Equal("r1", read.RowKey);
        Assert.Equal("Ada", read.GetString("Name"));
        Assert.Equal(added.ETag, read.ETag);
        Assert.False(read.ETag.IsAny);
        Assert.NotNull(read.Timestamp);
    }

    [Fact]
    public async Task Point_read_of_a_missing_entity_returns_null()
    {
        var table = await NewTableAsync();

        Assert.Null(await table.GetEntityIfExistsAsync(NewPartition(), "nobody"));
    }

    [Fact]
    public async Task Tables_with_the_same_keys_do_not_share_rows()
    {
        var first = await NewTableAsync();
        var second = await NewTableAsync();
        var pk = NewPartition();

        await first.AddEntityAsync(Entity(pk, "r", ("Where", "first")));

        Assert.Null(await second.GetEntityIfExistsAsync(pk, "r"));
        Assert.Equal(TableWriteStatus.Ok, (await second.AddEntityAsync(Entity(pk, "r", ("Where", "second")))).Status);
        Assert.Equal("first", (await first.GetEntityIfExistsAsync(pk, "r"))!.GetString("Where"));
    }

    [Fact]
    public async Task Adding_an_existing_entity_reports_AlreadyExists_and_keeps_the_original()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var original = await table.AddEntityAsync(Entity(pk, "r", ("V", "original")));

        var again = await table.AddEntityAsync(Entity(pk, "r", ("V", "intruder")));

        Assert.Equal(TableWriteStatus.AlreadyExists, again.Status);
        var read = await table.GetEntityIfExistsAsync(pk, "r");
        Assert.Equal("original", read!.GetString("V"));
        Assert.Equal(original.ETag, read.ETag);
    }

    [Fact]
    public async Task Replace_drops_properties_that_the_new_entity_does_not_carry()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var added = await table.AddEntityAsync(Entity(pk, "r", ("A", "a"), ("B", "b")));

        var replaced = await table.UpdateEntityAsync(Entity(pk, "r", ("A", "a2")), added.ETag, TableUpdateMode.Replace);

        Assert.Equal(TableWriteStatus.Ok, replaced.Status);
        var read = await table.GetEntityIfExistsAsync(pk, "r");
        Assert.Equal("a2", read!.GetString("A"));
        Assert.Null(read["B"]);
        Assert.Equal(replaced.ETag, read.ETag);
    }

    [Fact]
    public async Task Merge_keeps_properties_that_the_new_entity_does_not_carry()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var added = await table.AddEntityAsync(Entity(pk, "r", ("A", "a"), ("B", "b")));

        var merged = await table.UpdateEntityAsync(Entity(pk, "r", ("A", "a2"), ("C", 3)), added.ETag, TableUpdateMode.Merge);

        Assert.Equal(TableWriteStatus.Ok, merged.Status);
        var read = await table.GetEntityIfExistsAsync(pk, "r");
        Assert.Equal("a2", read!.GetString("A"));
        Assert.Equal("b", read.GetString("B"));
        Assert.Equal(3, read.GetInt32("C"));
    }

    [Fact]
    public async Task Update_with_a_stale_etag_reports_PreconditionFailed_and_changes_nothing()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var added = await table.AddEntityAsync(Entity(pk, "r", ("V", 1)));
        var winner = await table.UpdateEntityAsync(Entity(pk, "r", ("V", 2)), added.ETag, TableUpdateMode.Replace);

        var loser = await table.UpdateEntityAsync(Entity(pk, "r", ("V", 3)), added.ETag, TableUpdateMode.Merge);

        Assert.Equal(TableWriteStatus.PreconditionFailed, loser.Status);
        var read = await table.GetEntityIfExistsAsync(pk, "r");
        Assert.Equal(2, read!.GetInt32("V"));
        Assert.Equal(winner.ETag, read.ETag);
    }

    [Fact]
    public async Task Update_with_ETag_Any_overwrites_whatever_is_stored()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        await table.AddEntityAsync(Entity(pk, "r", ("V", 1)));

        var result = await table.UpdateEntityAsync(Entity(pk, "r", ("V", 2)), ETag.Any, TableUpdateMode.Replace);

        Assert.Equal(TableWriteStatus.Ok, result.Status);
        Assert.Equal(2, (await table.GetEntityIfExistsAsync(pk, "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Update_and_delete_of_a_missing_entity_report_NotFound()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();

        Assert.Equal(TableWriteStatus.NotFound, (await table.UpdateEntityAsync(Entity(pk, "r", ("V", 1)), ETag.Any, TableUpdateMode.Replace)).Status);
        Assert.Equal(TableWriteStatus.NotFound, (await table.UpdateEntityAsync(Entity(pk, "r", ("V", 1)), ETag.Any, TableUpdateMode.Merge)).Status);
        Assert.Equal(TableWriteStatus.NotFound, (await table.DeleteEntityAsync(pk, "r", ETag.Any)).Status);
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "r"));
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_reports_PreconditionFailed_and_keeps_the_entity()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var added = await table.AddEntityAsync(Entity(pk, "r", ("V", 1)));
        var updated = await table.UpdateEntityAsync(Entity(pk, "r", ("V", 2)), added.ETag, TableUpdateMode.Replace);

        var stale = await table.DeleteEntityAsync(pk, "r", added.ETag);

        Assert.Equal(TableWriteStatus.PreconditionFailed, stale.Status);
        Assert.NotNull(await table.GetEntityIfExistsAsync(pk, "r"));
        Assert.Equal(TableWriteStatus.Ok, (await table.DeleteEntityAsync(pk, "r", updated.ETag)).Status);
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "r"));
    }

    [Fact]
    public async Task Delete_with_ETag_Any_removes_the_entity()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        await table.AddEntityAsync(Entity(pk, "r", ("V", 1)));

        Assert.Equal(TableWriteStatus.Ok, (await table.DeleteEntityAsync(pk, "r", ETag.Any)).Status);
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "r"));
    }

    [Fact]
    public async Task Every_write_gives_the_entity_a_new_etag_even_when_nothing_changed()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var seen = new HashSet<ETag>();

        var current = await table.AddEntityAsync(Entity(pk, "r", ("V", 1)));
        seen.Add(current.ETag);
        current = await table.UpdateEntityAsync(Entity(pk, "r", ("V", 1)), current.ETag, TableUpdateMode.Replace);
        seen.Add(current.ETag);
        current = await table.UpdateEntityAsync(Entity(pk, "r", ("V", 1)), current.ETag, TableUpdateMode.Merge);
        seen.Add(current.ETag);
        current = await table.UpsertEntityAsync(Entity(pk, "r", ("V", 1)), TableUpdateMode.Replace);
        seen.Add(current.ETag);
        current = await table.UpsertEntityAsync(Entity(pk, "r", ("V", 1)), TableUpdateMode.Merge);
        seen.Add(current.ETag);

        Assert.Equal(5, seen.Count);
        Assert.Equal(current.ETag, (await table.GetEntityIfExistsAsync(pk, "r"))!.ETag);
    }

    [Fact]
    public async Task Upsert_inserts_a_missing_entity_then_replaces_or_merges_it()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();

        Assert.Equal(TableWriteStatus.Ok, (await table.UpsertEntityAsync(Entity(pk, "r", ("A", "a"), ("B", "b")), TableUpdateMode.Replace)).Status);
        await table.UpsertEntityAsync(Entity(pk, "r", ("C", "c")), TableUpdateMode.Merge);
        var merged = await table.GetEntityIfExistsAsync(pk, "r");
        await table.UpsertEntityAsync(Entity(pk, "r", ("D", "d")), TableUpdateMode.Replace);
        var replaced = await table.GetEntityIfExistsAsync(pk, "r");

        Assert.Equal(["A", "B", "C"], merged!.Properties.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["D"], replaced!.Properties.Keys);
    }

    [Fact]
    public async Task Of_many_concurrent_writers_holding_the_same_etag_exactly_one_wins()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var added = await table.AddEntityAsync(Entity(pk, "counter", ("Count", 0)));
        const int writers = 24;

        var results = await Task.WhenAll(Enumerable.Range(1, writers).Select(i =>
            Task.Run(() => table.UpdateEntityAsync(Entity(pk, "counter", ("Count", i)), added.ETag, TableUpdateMode.Replace))));

        var winners = results.Where(r => r.Succeeded).ToList();
        Assert.Single(winners);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(TableWriteStatus.PreconditionFailed, r.Status));
        Assert.Equal(winners[0].ETag, (await table.GetEntityIfExistsAsync(pk, "counter"))!.ETag);
    }

    [Fact]
    public async Task Concurrent_read_modify_write_with_if_match_loses_no_update()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        await table.AddEntityAsync(Entity(pk, "counter", ("Count", 0)));
        const int writers = 16;
        const int incrementsEach = 5;
        var conflicts = 0;

        async Task IncrementAsync()
        {
            for (var done = 0; done < incrementsEach;)
            {
                var read = await table.GetEntityIfExistsAsync(pk, "counter");
                var next = Entity(pk, "counter", ("Count", read!.GetInt32("Count")!.Value + 1));
                var result = await table.UpdateEntityAsync(next, read.ETag, TableUpdateMode.Replace);
                if (result.Succeeded)
                {
                    done++;
                }
                else
                {
                    Assert.Equal(TableWriteStatus.PreconditionFailed, result.Status);
                    Interlocked.Increment(ref conflicts);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(IncrementAsync)));

        Assert.Equal(writers * incrementsEach, (await table.GetEntityIfExistsAsync(pk, "counter"))!.GetInt32("Count"));
    }

    [Fact]
    public async Task A_transaction_whose_third_action_fails_changes_nothing_and_names_that_action()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var existing = await table.AddEntityAsync(Entity(pk, "existing", ("V", "before")));
        var doomed = await table.AddEntityAsync(Entity(pk, "doomed", ("V", "before")));

        var result = await table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(Entity(pk, "new", ("V", "after"))),
            TableTransactionAction.Delete(pk, "doomed", doomed.ETag),
            TableTransactionAction.Add(Entity(pk, "existing", ("V", "after"))),
            TableTransactionAction.Upsert(Entity(pk, "other", ("V", "after")), TableUpdateMode.Replace),
        ]);

        Assert.False(result.Succeeded);
        Assert.Equal(2, result.FailedIndex);
        Assert.Equal(TableWriteStatus.AlreadyExists, result.FailedStatus);
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "new"));
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "other"));
        Assert.Equal(doomed.ETag, (await table.GetEntityIfExistsAsync(pk, "doomed"))!.ETag);
        var kept = await table.GetEntityIfExistsAsync(pk, "existing");
        Assert.Equal("before", kept!.GetString("V"));
        Assert.Equal(existing.ETag, kept.ETag);
    }

    /// <remarks>Azurite ignores If-Match inside batches (see PLATFORM.md); real Table Storage honours it.</remarks>
    [Fact]
    public async Task A_transaction_with_a_stale_etag_fails_with_PreconditionFailed_and_changes_nothing()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var added = await table.AddEntityAsync(Entity(pk, "r", ("V", 1)));
        await table.UpdateEntityAsync(Entity(pk, "r", ("V", 2)), added.ETag, TableUpdateMode.Replace);

        var result = await table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(Entity(pk, "new")),
            TableTransactionAction.Update(Entity(pk, "r", ("V", 3)), added.ETag, TableUpdateMode.Replace),
        ]);

        Assert.False(result.Succeeded);
        Assert.Equal(1, result.FailedIndex);
        Assert.Equal(TableWriteStatus.PreconditionFailed, result.FailedStatus);
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "new"));
        Assert.Equal(2, (await table.GetEntityIfExistsAsync(pk, "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task A_transaction_of_every_action_type_applies_all_and_returns_the_new_etags_in_order()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var toReplace = await table.AddEntityAsync(Entity(pk, "replace", ("A", "a"), ("B", "b")));
        var toMerge = await table.AddEntityAsync(Entity(pk, "merge", ("A", "a"), ("B", "b")));
        var toDelete = await table.AddEntityAsync(Entity(pk, "delete"));
        await table.AddEntityAsync(Entity(pk, "upsertmerge", ("A", "a")));

        var result = await table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(Entity(pk, "add", ("A", "a"))),
            TableTransactionAction.Update(Entity(pk, "replace", ("A", "a2")), toReplace.ETag, TableUpdateMode.Replace),
            TableTransactionAction.Update(Entity(pk, "merge", ("A", "a2")), toMerge.ETag, TableUpdateMode.Merge),
            TableTransactionAction.Upsert(Entity(pk, "upsertmerge", ("B", "b")), TableUpdateMode.Merge),
            TableTransactionAction.Upsert(Entity(pk, "upsertreplace", ("B", "b")), TableUpdateMode.Replace),
            TableTransactionAction.Delete(pk, "delete", toDelete.ETag),
        ]);

        Assert.True(result.Succeeded);
        Assert.Equal(6, result.ETags.Count);
        var add = await table.GetEntityIfExistsAsync(pk, "add");
        var replace = await table.GetEntityIfExistsAsync(pk, "replace");
        var merge = await table.GetEntityIfExistsAsync(pk, "merge");
        var upsertMerge = await table.GetEntityIfExistsAsync(pk, "upsertmerge");
        var upsertReplace = await table.GetEntityIfExistsAsync(pk, "upsertreplace");
        Assert.Equal(result.ETags[0], add!.ETag);
        Assert.Equal(result.ETags[1], replace!.ETag);
        Assert.Equal(result.ETags[2], merge!.ETag);
        Assert.Equal(result.ETags[3], upsertMerge!.ETag);
        Assert.Equal(result.ETags[4], upsertReplace!.ETag);
        Assert.Null(replace["B"]);
        Assert.Equal("b", merge.GetString("B"));
        Assert.Equal("a", upsertMerge.GetString("A"));
        Assert.Equal("b", upsertMerge.GetString("B"));
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "delete"));
    }

    [Fact]
    public async Task A_transaction_of_100_actions_succeeds()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var rowKeys = Enumerable.Range(0, 100).Select(i => $"r{i:D3}").ToList();

        var result = await table.SubmitTransactionAsync(rowKeys.Select(rk => TableTransactionAction.Add(Entity(pk, rk, ("V", rk)))).ToList());

        Assert.True(result.Succeeded);
        Assert.Equal(100, result.ETags.Count);
        Assert.Equal(rowKeys, (await QueryAllAsync(table, new TableQuery { PartitionKey = pk })).Select(e => e.RowKey));
    }

    [Fact]
    public async Task A_transaction_of_101_actions_is_rejected_before_any_write()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var actions = Enumerable.Range(0, 101).Select(i => TableTransactionAction.Add(Entity(pk, $"r{i:D3}"))).ToList();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.SubmitTransactionAsync(actions));

        Assert.Empty((await table.QueryAsync(new TableQuery { PartitionKey = pk })).Items);
    }

    [Fact]
    public async Task A_transaction_across_partitions_is_rejected_before_any_write()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var other = NewPartition();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(Entity(pk, "a")),
            TableTransactionAction.Add(Entity(other, "b")),
        ]));

        Assert.Null(await table.GetEntityIfExistsAsync(pk, "a"));
        Assert.Null(await table.GetEntityIfExistsAsync(other, "b"));
    }

    [Fact]
    public async Task An_empty_transaction_is_rejected()
    {
        var table = await NewTableAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.SubmitTransactionAsync([]));
    }

    [Fact]
    public async Task A_transaction_touching_one_row_twice_is_rejected_before_any_write()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.SubmitTransactionAsync(
        [
            TableTransactionAction.Add(Entity(pk, "a")),
            TableTransactionAction.Upsert(Entity(pk, "a"), TableUpdateMode.Replace),
        ]));

        Assert.Null(await table.GetEntityIfExistsAsync(pk, "a"));
    }

    [Fact]
    public async Task Paging_with_top_3_returns_every_row_exactly_once_in_row_key_order()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var rowKeys = Enumerable.Range(0, 10).Select(i => $"row-{i:D2}").Reverse().ToList();
        await AddRowsAsync(table, pk, rowKeys);
        await table.AddEntityAsync(Entity(NewPartition(), "row-05"));

        var rows = await QueryAllAsync(table, new TableQuery { PartitionKey = pk, Top = 3 });

        Assert.Equal(rowKeys.Order(StringComparer.Ordinal), rows.Select(r => r.RowKey));
        Assert.All(rows, r => Assert.Equal(pk, r.PartitionKey));
    }

    [Fact]
    public async Task A_query_without_top_returns_at_most_1000_rows_per_page_and_reaches_every_row()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var rowKeys = Enumerable.Range(0, 1005).Select(i => $"r{i:D4}").ToList();
        await AddRowsAsync(table, pk, rowKeys);

        var first = await table.QueryAsync(new TableQuery { PartitionKey = pk });
        var all = await QueryAllAsync(table, new TableQuery { PartitionKey = pk });

        Assert.True(first.Items.Count <= 1000);
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal(rowKeys, all.Select(r => r.RowKey));
    }

    [Fact]
    public async Task A_prefix_query_returns_only_rows_whose_key_starts_with_the_prefix()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        await AddRowsAsync(table, pk, ["member-a", "member-b", "member-c", "memberz", "outbox-1", "invite-1", "member"]);

        var rows = await QueryAllAsync(table, new TableQuery { PartitionKey = pk, RowKeyPrefix = "member-", Top = 2 });

        Assert.Equal(["member-a", "member-b", "member-c"], rows.Select(r => r.RowKey));
    }

    [Fact]
    public async Task A_range_query_includes_the_lower_bound_and_excludes_the_upper_bound()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        await AddRowsAsync(table, pk, ["a", "b", "c", "d", "e"]);

        var middle = await QueryAllAsync(table, new TableQuery { PartitionKey = pk, RowKeyFrom = "b", RowKeyTo = "d" });
        var fromC = await QueryAllAsync(table, new TableQuery { PartitionKey = pk, RowKeyFrom = "c" });
        var belowC = await QueryAllAsync(table, new TableQuery { PartitionKey = pk, RowKeyTo = "c" });

        Assert.Equal(["b", "c"], middle.Select(r => r.RowKey));
        Assert.Equal(["c", "d", "e"], fromC.Select(r => r.RowKey));
        Assert.Equal(["a", "b"], belowC.Select(r => r.RowKey));
    }

    [Fact]
    public async Task A_query_of_an_empty_partition_returns_no_rows_and_no_token()
    {
        var table = await NewTableAsync();

        var page = await table.QueryAsync(new TableQuery { PartitionKey = NewPartition() });

        Assert.Empty(page.Items);
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task Select_returns_only_the_named_properties_with_keys_and_etag()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var added = await table.AddEntityAsync(Entity(pk, "r", ("A", "a"), ("B", 2), ("C", true)));

        var page = await table.QueryAsync(new TableQuery { PartitionKey = pk, Select = ["A", "C"] });

        var row = Assert.Single(page.Items);
        Assert.Equal("r", row.RowKey);
        Assert.Equal(pk, row.PartitionKey);
        Assert.Equal(added.ETag, row.ETag);
        Assert.Equal("a", row.GetString("A"));
        Assert.True(row.GetBoolean("C"));
        Assert.Null(row["B"]);
    }

    public static TheoryData<string> AwkwardText =>
    [
        "O'Brien",
        "''",
        "say \"hi\"",
        "100% sure",
        "a+b=c",
        "one two  three",
        "Zoë Ångström 日本語 🙂",
        "fish & chips",
        "key=value&x=y",
        "' or 1 eq 1 or RowKey eq '",
        "%27%20",
    ];

    [Theory]
    [MemberData(nameof(AwkwardText))]
    public async Task Awkward_keys_and_values_round_trip_unchanged(string text)
    {
        var table = await NewTableAsync();
        var pk = NewPartition() + text;

        await table.AddEntityAsync(Entity(pk, text, ("Value", text)));
        var read = await table.GetEntityIfExistsAsync(pk, text);
        var queried = await QueryAllAsync(table, new TableQuery { PartitionKey = pk, RowKeyPrefix = text });

        Assert.Equal(text, read!.RowKey);
        Assert.Equal(pk, read.PartitionKey);
        Assert.Equal(text, read.GetString("Value"));
        Assert.Equal(text, Assert.Single(queried).RowKey);
    }

    [Fact]
    public async Task A_prefix_query_on_keys_containing_quotes_matches_only_those_keys()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        await AddRowsAsync(table, pk, ["O'Brien-1", "O'Brien-2", "O''Brien", "OBrien", "O'Connor", "O"]);

        var rows = await QueryAllAsync(table, new TableQuery { PartitionKey = pk, RowKeyPrefix = "O'Brien" });

        Assert.Equal(["O'Brien-1", "O'Brien-2"], rows.Select(r => r.RowKey));
    }

    [Fact]
    public async Task Typed_properties_round_trip_exactly()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        var when = new DateTimeOffset(2026, 11, 22, 13, 14, 15, TimeSpan.Zero).AddTicks(1234567);
        var id = Guid.NewGuid();
        byte[] bytes = [0, 1, 2, 254, 255];
        var entity = Entity(pk, "typed",
            ("Int", 42),
            ("NegativeInt", int.MinValue),
            ("Long", 1L + int.MaxValue),
            ("SmallLong", 7L),
            ("Double", 0.1 + 0.2),
            ("WholeDouble", 3.0),
            ("True", true),
            ("False", false),
            ("When", when),
            ("Id", id),
            ("Bytes", bytes),
            ("Empty", string.Empty),
            ("NumericText", "123"));

        await table.AddEntityAsync(entity);
        var read = await table.GetEntityIfExistsAsync(pk, "typed");
        var queried = Assert.Single((await table.QueryAsync(new TableQuery { PartitionKey = pk })).Items);

        foreach (var row in new[] { read!, queried })
        {
            Assert.Equal(entity.Properties.Keys.Order(StringComparer.Ordinal), row.Properties.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(42, Assert.IsType<int>(row["Int"]));
            Assert.Equal(int.MinValue, Assert.IsType<int>(row["NegativeInt"]));
            Assert.Equal(1L + int.MaxValue, Assert.IsType<long>(row["Long"]));
            Assert.Equal(7L, Assert.IsType<long>(row["SmallLong"]));
            Assert.Equal(0.1 + 0.2, Assert.IsType<double>(row["Double"]));
            Assert.Equal(3.0, Assert.IsType<double>(row["WholeDouble"]));
            Assert.True(Assert.IsType<bool>(row["True"]));
            Assert.False(Assert.IsType<bool>(row["False"]));
            var readWhen = Assert.IsType<DateTimeOffset>(row["When"]);
            Assert.Equal(when, readWhen);
            Assert.Equal(when.UtcTicks, readWhen.UtcTicks);
            Assert.Equal(id, Assert.IsType<Guid>(row["Id"]));
            Assert.Equal(bytes, Assert.IsType<byte[]>(row["Bytes"]));
            Assert.Equal(string.Empty, Assert.IsType<string>(row["Empty"]));
            Assert.Equal("123", Assert.IsType<string>(row["NumericText"]));
        }
    }

    [Fact]
    public async Task An_entity_near_the_size_limits_round_trips()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        // A string property may hold 64 KiB (32K UTF-16 characters) and an entity 1 MiB in total.
        var longest = new string('x', 32 * 1024);
        var entity = Entity(pk, "big", ("Longest", longest), ("Binary", Enumerable.Range(0, 60 * 1024).Select(i => (byte)i).ToArray()));
        for (var i = 0; i < 13; i++)
        {
            entity[$"Chunk{i:D2}"] = new string((char)('a' + i), 30_000);
        }

        var added = await table.AddEntityAsync(entity);
        var read = await table.GetEntityIfExistsAsync(pk, "big");

        Assert.Equal(TableWriteStatus.Ok, added.Status);
        Assert.Equal(longest, read!.GetString("Longest"));
        Assert.Equal((byte[])entity["Binary"]!, read.GetBinary("Binary"));
        for (var i = 0; i < 13; i++)
        {
            Assert.Equal(entity.GetString($"Chunk{i:D2}"), read.GetString($"Chunk{i:D2}"));
        }
    }

    [Fact]
    public async Task Inside_a_read_snapshot_a_flow_reads_its_own_writes()
    {
        var table = await NewTableAsync();
        var pk = NewPartition();
        await table.AddEntityAsync(Entity(pk, "r", ("Version", 1)));

        using var snapshot = ReadSnapshot.Begin();
        var first = await table.GetEntityIfExistsAsync(pk, "r");
        await table.UpdateEntityAsync(Entity(pk, "r", ("Version", 2)), first!.ETag, TableUpdateMode.Replace);
        await table.AddEntityAsync(Entity(pk, "s", ("Version", 1)));

        Assert.Equal(2, (await table.GetEntityIfExistsAsync(pk, "r"))!.GetInt32("Version"));
        Assert.Equal(["r", "s"], (await table.QueryAsync(new TableQuery { PartitionKey = pk })).Items.Select(e => e.RowKey));
    }

    public static TheoryData<string> InvalidKeys =>
    [
        "",
        "a/b",
        "a\\b",
        "a#b",
        "a?b",
        "tab\there",
        "line\nbreak",
        "nul\0",
        new string('k', TableKeys.MaxLength + 1),
    ];

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Invalid_keys_are_rejected_before_reaching_the_store(string key)
    {
        var table = await NewTableAsync();
        var pk = NewPartition();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.AddEntityAsync(Entity(pk, key)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.AddEntityAsync(Entity(key, "r")));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.UpsertEntityAsync(Entity(pk, key), TableUpdateMode.Replace));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.UpdateEntityAsync(Entity(pk, key), ETag.Any, TableUpdateMode.Replace));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.GetEntityIfExistsAsync(pk, key));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.DeleteEntityAsync(pk, key, ETag.Any));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => table.SubmitTransactionAsync([TableTransactionAction.Add(Entity(pk, key))]));
        Assert.Empty((await table.QueryAsync(new TableQuery { PartitionKey = pk })).Items);
    }
}
