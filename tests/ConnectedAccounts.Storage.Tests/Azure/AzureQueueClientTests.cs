using ConnectedAccounts.Storage.Azure;
using ConnectedAccounts.Storage.Queues;

namespace ConnectedAccounts.Storage.Tests.Azure;

/// <summary>Azurite runs on real time, so visibility timeouts here are a second or two.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureQueueClientTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly AzureQueueClient _queue = azurite.Queues.GetQueueClient(AzuriteFixture.UniqueQueueName());

    public Task InitializeAsync() => _queue.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _queue.DeleteAsync();

    [Fact]
    public async Task Creating_an_existing_queue_is_fine()
    {
        await _queue.CreateIfNotExistsAsync();
    }

    [Fact]
    public async Task Sending_to_a_queue_never_created_fails_with_queue_not_found_unless_the_sender_creates_it()
    {
        var missing = azurite.Queues.GetQueueClient(AzuriteFixture.UniqueQueueName());
        try
        {
            var refused = await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => missing.SendMessageAsync("m"));
            Assert.Equal((404, "QueueNotFound"), (refused.Status, refused.ErrorCode));
            Assert.Null(await missing.GetApproximateMessageCountIfExistsAsync());

            await missing.SendMessageCreatingQueueAsync("m");

            Assert.Equal(1, await missing.GetApproximateMessageCountIfExistsAsync());
        }
        finally
        {
            await missing.DeleteAsync();
        }
    }

    [Fact]
    public async Task A_sent_message_is_received_with_its_text_and_first_dequeue()
    {
        const string text = "{\"kind\":\"disconnect\",\"note\":\"<ünïcødé & 'quotes'>\"}";
        await _queue.SendMessageAsync(text);

        var message = Assert.Single(await _queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30)));

        Assert.Equal(text, message.Text);
        Assert.Equal(1, message.DequeueCount);
        Assert.NotEmpty(message.MessageId);
        Assert.NotEmpty(message.PopReceipt);
        Assert.True(message.NextVisibleOn > message.InsertedOn);
    }

    [Fact]
    public async Task Message_text_is_stored_base64_encoded_as_the_functions_trigger_expects()
    {
        await _queue.SendMessageAsync("plain");

        // A client without encoding sees the stored text as it is.
        var raw = new global::Azure.Storage.Queues.QueueClient(azurite.ConnectionString, _queue.Name);
        var stored = Assert.Single((await raw.PeekMessagesAsync()).Value);

        Assert.Equal("cGxhaW4=", stored.Body.ToString());
    }

    [Fact]
    public async Task A_foreign_message_that_is_not_base64_is_moved_to_the_poison_queue_as_it_was_and_the_rest_still_arrives()
    {
        var raw = new global::Azure.Storage.Queues.QueueClient(azurite.ConnectionString, _queue.Name);
        await raw.SendMessageAsync("not base64 {}");
        await _queue.SendMessageAsync("ours");
        var poison = azurite.Queues.GetQueueClient(_queue.Name + "-poison");

        var received = new List<string>();
        for (var attempt = 0; attempt < 3 && received.Count == 0; attempt++)
        {
            received.AddRange((await _queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Select(m => m.Text));
        }

        Assert.Equal(["ours"], received);
        Assert.Equal(["not base64 {}"], (await poison.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Select(m => m.Text));
        await poison.DeleteAsync();
    }

    [Fact]
    public async Task A_received_message_is_hidden_until_its_visibility_timeout_then_redelivered()
    {
        await _queue.SendMessageAsync("m");
        var first = Assert.Single(await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1)));

        var whileHidden = await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(1.6));
        var second = Assert.Single(await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30)));

        Assert.Empty(whileHidden);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        Assert.False(await _queue.DeleteMessageAsync(first.MessageId, first.PopReceipt));
        Assert.True(await _queue.DeleteMessageAsync(second.MessageId, second.PopReceipt));
        Assert.False(await _queue.DeleteMessageAsync(second.MessageId, second.PopReceipt));
        Assert.Empty(await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_delayed_message_stays_invisible_until_its_delay_passes()
    {
        await _queue.SendMessageAsync("later", TimeSpan.FromSeconds(1));

        var early = await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1.6));
        var late = await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30));

        Assert.Empty(early);
        Assert.Equal("later", Assert.Single(late).Text);
    }

    [Fact]
    public async Task Updating_visibility_keeps_the_text_and_returns_a_fresh_pop_receipt()
    {
        await _queue.SendMessageAsync("keep me");
        var received = Assert.Single(await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30)));

        var receipt = await _queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero);
        var stale = await _queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero);
        var again = Assert.Single(await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30)));

        Assert.NotNull(receipt);
        Assert.NotEqual(received.PopReceipt, receipt);
        Assert.Null(stale);
        Assert.Equal("keep me", again.Text);
        Assert.Equal(2, again.DequeueCount);
    }

    [Fact]
    public async Task Extending_visibility_keeps_a_message_hidden()
    {
        await _queue.SendMessageAsync("long job");
        var received = Assert.Single(await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1)));

        var receipt = await _queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1.6));

        Assert.Empty(await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1)));
        Assert.True(await _queue.DeleteMessageAsync(received.MessageId, receipt!));
    }

    [Fact]
    public async Task The_approximate_count_reflects_sent_messages()
    {
        Assert.Equal(0, await _queue.GetApproximateMessageCountAsync());
        for (var i = 0; i < 3; i++)
        {
            await _queue.SendMessageAsync($"m{i}");
        }

        Assert.Equal(3, await _queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Receiving_many_returns_up_to_the_requested_number()
    {
        for (var i = 0; i < 5; i++)
        {
            await _queue.SendMessageAsync($"m{i}");
        }

        var batch = await _queue.ReceiveMessagesAsync(3, TimeSpan.FromSeconds(30));
        var rest = await _queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30));

        Assert.Equal(3, batch.Count);
        Assert.Equal(2, rest.Count);
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => $"m{i}").Order(),
            batch.Concat(rest).Select(m => m.Text).Order());
    }

    [Fact]
    public async Task Each_queue_operation_costs_one_request()
    {
        using var scope = StorageRequestCounter.BeginScope();
        await _queue.SendMessageAsync("x");
        var received = await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30));
        await _queue.DeleteMessageAsync(received[0].MessageId, received[0].PopReceipt);

        Assert.Equal(3, scope.Count);
    }

    [Fact]
    public void Queue_names_are_validated()
    {
        Assert.Throws<ArgumentException>(() => azurite.Queues.GetQueueClient("Upper"));
        Assert.Throws<ArgumentException>(() => azurite.Queues.GetQueueClient("double--dash"));
        Assert.Throws<ArgumentException>(() => azurite.Queues.GetQueueClient("-leading"));
        Assert.Throws<ArgumentException>(() => azurite.Queues.GetQueueClient("ab"));
    }
}
