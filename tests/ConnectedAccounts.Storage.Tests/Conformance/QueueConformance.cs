using System.Collections.Concurrent;
using ConnectedAccounts.Storage.Queues;

namespace ConnectedAccounts.Storage.Tests.Conformance;

/// <summary>
/// The behaviour every queue must show, written once against <see cref="IQueueServiceClient"/>. A backend plugs in
/// by subclassing: <see cref="CreateQueues"/> returns the store under test and <see cref="AdvanceAsync"/> lets time
/// pass for it — a fake clock is advanced (SQLite), a real service is waited for (Azurite, Azure). Visibility
/// timeouts here are whole seconds and short, so the suite also runs against real time.
/// </summary>
public abstract class QueueConformance
{
    private IQueueServiceClient? _service;

    /// <summary>The store under test. Called at most once per test instance.</summary>
    protected abstract IQueueServiceClient CreateQueues();

    /// <summary>
    /// Lets at least <paramref name="duration"/> pass as the store sees time. A real-time subclass should add a little
    /// slack for clock granularity (Azure rounds visibility to whole seconds).
    /// </summary>
    protected abstract Task AdvanceAsync(TimeSpan duration);

    /// <summary>The shortest visibility timeout the tests use; Azure accepts whole seconds from 1.</summary>
    protected static readonly TimeSpan Short = TimeSpan.FromSeconds(1);

    /// <summary>Long enough that no test run outlives it.</summary>
    protected static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    protected IQueueServiceClient Queues => _service ??= CreateQueues();

    protected async Task<IQueueClient> NewQueueAsync()
    {
        // Queue names: lower-case letters, digits and single hyphens, 3-63 characters; "-poison" must still fit.
        var queue = Queues.GetQueueClient("q" + Guid.NewGuid().ToString("N"));
        await queue.CreateIfNotExistsAsync();
        return queue;
    }

    [Fact]
    public async Task A_sent_message_is_received_once_and_gone_after_delete()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("hello");

        var received = Assert.Single(await queue.ReceiveMessagesAsync(32, Long));
        var deleted = await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);

        Assert.Equal("hello", received.Text);
        Assert.Equal(1, received.DequeueCount);
        Assert.True(deleted);
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync());
        Assert.Empty(await queue.ReceiveMessagesAsync(32, Long));
    }

    [Fact]
    public async Task The_first_message_sent_to_a_queue_never_created_creates_it_and_arrives()
    {
        var queue = Queues.GetQueueClient("q" + Guid.NewGuid().ToString("N"));

        await queue.SendMessageCreatingQueueAsync("first");
        await queue.SendMessageCreatingQueueAsync("second");

        var received = await queue.ReceiveMessagesAsync(32, Long);
        Assert.Equal(["first", "second"], received.Select(m => m.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_queue_never_created_has_no_count_or_zero_rather_than_an_error()
    {
        var queue = Queues.GetQueueClient("q" + Guid.NewGuid().ToString("N"));

        Assert.True(await queue.GetApproximateMessageCountIfExistsAsync() is null or 0);
    }

    [Fact]
    public async Task Receiving_from_an_empty_queue_returns_nothing()
    {
        var queue = await NewQueueAsync();

        Assert.Empty(await queue.ReceiveMessagesAsync(32, Long));
    }

    [Fact]
    public async Task Receive_returns_at_most_the_asked_number_of_messages()
    {
        var queue = await NewQueueAsync();
        for (var i = 0; i < 5; i++)
        {
            await queue.SendMessageAsync($"m{i}");
        }

        var first = await queue.ReceiveMessagesAsync(3, Long);
        var rest = await queue.ReceiveMessagesAsync(32, Long);

        Assert.Equal(3, first.Count);
        Assert.Equal(2, rest.Count);
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => $"m{i}"),
            first.Concat(rest).Select(m => m.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Message_text_round_trips_unchanged()
    {
        var queue = await NewQueueAsync();
        const string text = "{\"kind\":\"disconnect\",\"note\":\"O'Brien & Zoë 🙂 <x/> 100% +1\"}";

        await queue.SendMessageAsync(text);

        Assert.Equal(text, Assert.Single(await queue.ReceiveMessagesAsync(1, Long)).Text);
    }

    [Fact]
    public async Task A_received_message_stays_hidden_for_the_visibility_timeout_then_returns_with_dequeue_count_2()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("work");

        var first = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(2)));
        var whileHidden = await queue.ReceiveMessagesAsync(1, Short);
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        var second = Assert.Single(await queue.ReceiveMessagesAsync(1, Long));

        Assert.Empty(whileHidden);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        Assert.NotEqual(first.PopReceipt, second.PopReceipt);
        Assert.Equal("work", second.Text);
    }

    [Fact]
    public async Task Delete_with_a_stale_pop_receipt_returns_false_and_keeps_the_message()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("work");
        var first = Assert.Single(await queue.ReceiveMessagesAsync(1, Short));
        await AdvanceAsync(Short);
        var second = Assert.Single(await queue.ReceiveMessagesAsync(1, Long));

        var staleDelete = await queue.DeleteMessageAsync(first.MessageId, first.PopReceipt);

        Assert.False(staleDelete);
        Assert.Equal(1, await queue.GetApproximateMessageCountAsync());
        Assert.True(await queue.DeleteMessageAsync(second.MessageId, second.PopReceipt));
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Deleting_a_message_twice_returns_false_the_second_time()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("work");
        var message = Assert.Single(await queue.ReceiveMessagesAsync(1, Long));

        Assert.True(await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt));
        Assert.False(await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt));
    }

    [Fact]
    public async Task Updating_visibility_to_zero_releases_the_message_and_makes_the_old_receipt_stale()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("work");
        var first = Assert.Single(await queue.ReceiveMessagesAsync(1, Long));

        var newReceipt = await queue.UpdateVisibilityAsync(first.MessageId, first.PopReceipt, TimeSpan.Zero);
        var staleUpdate = await queue.UpdateVisibilityAsync(first.MessageId, first.PopReceipt, TimeSpan.Zero);
        var again = Assert.Single(await queue.ReceiveMessagesAsync(1, Long));

        Assert.NotNull(newReceipt);
        Assert.NotEqual(first.PopReceipt, newReceipt);
        Assert.Null(staleUpdate);
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
        Assert.False(await queue.DeleteMessageAsync(first.MessageId, first.PopReceipt));
        Assert.True(await queue.DeleteMessageAsync(again.MessageId, again.PopReceipt));
    }

    [Fact]
    public async Task Updating_visibility_extends_the_hiding_and_the_new_receipt_deletes()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("work");
        var first = Assert.Single(await queue.ReceiveMessagesAsync(1, Short));

        var newReceipt = await queue.UpdateVisibilityAsync(first.MessageId, first.PopReceipt, Long);
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        var afterOriginalTimeout = await queue.ReceiveMessagesAsync(1, Long);

        Assert.Empty(afterOriginalTimeout);
        Assert.True(await queue.DeleteMessageAsync(first.MessageId, newReceipt!));
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Updating_visibility_of_a_deleted_message_returns_null()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("work");
        var message = Assert.Single(await queue.ReceiveMessagesAsync(1, Long));
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);

        Assert.Null(await queue.UpdateVisibilityAsync(message.MessageId, message.PopReceipt, Short));
    }

    [Fact]
    public async Task A_message_sent_with_a_delay_is_invisible_until_the_delay_passes()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("later", TimeSpan.FromSeconds(2));

        var early = await queue.ReceiveMessagesAsync(1, Long);
        var countWhileInvisible = await queue.GetApproximateMessageCountAsync();
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        var onTime = await queue.ReceiveMessagesAsync(1, Long);

        Assert.Empty(early);
        Assert.Equal(1, countWhileInvisible);
        Assert.Equal("later", Assert.Single(onTime).Text);
    }

    [Fact]
    public async Task Approximate_count_includes_hidden_messages()
    {
        var queue = await NewQueueAsync();
        for (var i = 0; i < 3; i++)
        {
            await queue.SendMessageAsync($"m{i}");
        }

        await queue.ReceiveMessagesAsync(2, Long);

        Assert.Equal(3, await queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Queues_with_different_names_do_not_share_messages()
    {
        var first = await NewQueueAsync();
        var second = await NewQueueAsync();

        await first.SendMessageAsync("for first");

        Assert.Empty(await second.ReceiveMessagesAsync(32, Long));
        Assert.Equal("for first", Assert.Single(await first.ReceiveMessagesAsync(32, Long)).Text);
    }

    [Fact]
    public async Task Concurrent_receivers_never_get_the_same_message_within_one_visibility_window()
    {
        var queue = await NewQueueAsync();
        const int messages = 40;
        for (var i = 0; i < messages; i++)
        {
            await queue.SendMessageAsync($"m{i}");
        }

        var received = new ConcurrentBag<QueueMessage>();

        async Task ReceiveUntilEmptyAsync()
        {
            while (true)
            {
                var batch = await queue.ReceiveMessagesAsync(4, Long);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var message in batch)
                {
                    received.Add(message);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(ReceiveUntilEmptyAsync)));

        Assert.Equal(messages, received.Count);
        Assert.Equal(messages, received.Select(m => m.MessageId).Distinct().Count());
        Assert.All(received, m => Assert.Equal(1, m.DequeueCount));
    }
}
