using System.Net;
using System.Text.Json.Nodes;
using Azure.Messaging;
using Azure.Messaging.ServiceBus;
using ConnectedAccounts.Api.Tests.Expiry;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Events;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Events;

/// <summary>The program on SQLite with its events going to <see cref="LocalServiceBus"/> over AMQP (topic <c>events</c>, subscription <c>all</c>).</summary>
public sealed class EventsFactory : ExpiryFactory, IAsyncLifetime
{
    public LocalServiceBus Broker { get; } = LocalServiceBus.Start("events/subscriptions/all");

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Events:ServiceBus:ConnectionString"] = Broker.ConnectionString,
        ["Events:ServiceBus:Topic"] = "events",
        ["Events:ServiceBus:TryTimeout"] = "00:00:02",
    };

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await Broker.DisposeAsync();
}

/// <summary>
/// Integration events through the real Service Bus SDK on both ends: the app publishes through the outbox, the test
/// receives from the subscription. Shapes are CloudEvents 1.0 (specversion, id, source, type, subject, time) as
/// docs/api.md gives them; an event's id is its activity entry's.
/// </summary>
public sealed class IntegrationEventsTests(EventsFactory factory) : IClassFixture<EventsFactory>
{
    [Fact]
    public async Task Account_member_and_connection_entries_are_published_once_each_as_cloud_events_and_work_on_reports_is_not()
    {
        var (alice, carol) = (factory.Signed(TestUser.New("alice")), factory.Signed(TestUser.New("carol")));
        var agencyId = await alice.CreateAccountAsync("agency", "Acme Agency");
        var clientId = await carol.CreateAccountAsync("client", "Bob's Bikes");
        var connectionId = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        await carol.PostAsync($"/api/connections/{connectionId}/accept", null).ExpectAsync(HttpStatusCode.OK);
        await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created);
        var bob = TestUser.New("bob");
        await factory.AddMemberAsync(clientId, bob, "viewOnly");
        await carol.PatchJsonAsync($"/api/accounts/{clientId}/members/{bob.Id}", new { role = "regularUser" }).ExpectAsync(HttpStatusCode.OK);
        await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        await factory.RunDisconnectionsAsync();
        await RelayAsync();

        var events = await ReceiveAsync(expected: 7);
        Assert.Equal(
            ["connectedaccounts.account.created", "connectedaccounts.account.created", "connectedaccounts.connection.accepted", "connectedaccounts.connection.disconnectStarted", "connectedaccounts.connection.disconnected", "connectedaccounts.connection.requested", "connectedaccounts.member.roleChanged"],
            events.Select(e => e.Event.Type).Order(StringComparer.Ordinal));
        var trail = (await carol.GetAsync($"/api/accounts/{clientId}/activity").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray();
        foreach (var (message, cloudEvent, json) in events)
        {
            Assert.Equal("1.0", (string?)json["specversion"]);
            Assert.Equal("/connected-accounts", cloudEvent.Source);
            Assert.Equal(cloudEvent.Id, message.MessageId);
            Assert.Equal("application/cloudevents+json", message.ContentType);
            Assert.Equal("application/json", cloudEvent.DataContentType);
            Assert.NotNull(cloudEvent.Time);
            var entry = JsonNode.Parse(cloudEvent.Data!.ToString())!;
            Assert.Equal(cloudEvent.Type, "connectedaccounts." + (string)entry["action"]!);
            Assert.Equal(cloudEvent.Id, (string?)entry["id"]);
            if (cloudEvent.Subject == clientId)
            {
                // The event of an entry is that entry: the same id on the client's trail.
                Assert.Contains(trail, e => (string?)e!["id"] == cloudEvent.Id);
            }
            else
            {
                Assert.Equal(agencyId, cloudEvent.Subject);
            }
        }

        Assert.Equal(4, events.Count(e => e.Event.Subject == clientId && e.Event.Type.StartsWith("connectedaccounts.connection.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_event_sent_again_after_a_crash_between_send_and_delete_reaches_subscribers_once()
    {
        var alice = factory.Signed(TestUser.New("alice"));
        var accountId = await alice.CreateAccountAsync("agency", "Crashy Agency");

        // The relay sent the event and died before deleting its row: the row is still there, and goes again.
        var row = Assert.Single(await EventRowsAsync(accountId));
        Assert.True(await factory.Services.GetRequiredService<IntegrationEvents>().TryPublishAsync(row.GetString("Body")!, CancellationToken.None));
        await RelayAsync();
        await RelayAsync();

        var received = await ReceiveAsync(expected: 1);
        Assert.Equal(accountId, received[0].Event.Subject);
        Assert.Contains(received[0].Event.Id, factory.Broker.DuplicatesDropped);
        Assert.Empty(await EventRowsAsync(accountId));
    }

    [Fact]
    public async Task With_the_broker_down_the_api_answers_the_outbox_keeps_the_event_and_it_is_sent_when_the_broker_is_back()
    {
        var alice = factory.Signed(TestUser.New("alice"));
        factory.Broker.Stop();
        try
        {
            var accountId = await alice.CreateAccountAsync("agency", "Offline Agency");
            await RelayAsync();

            Assert.Single(await EventRowsAsync(accountId));
            // The partition's other rows went: the switcher lists the account.
            Assert.Contains((await alice.GetAsync("/api/accounts").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray(), a => (string?)a!["id"] == accountId);
        }
        finally
        {
            factory.Broker.Restart();
        }

        await RelayAsync();
        var received = await ReceiveAsync(expected: 1);
        Assert.Equal("connectedaccounts.account.created", received[0].Event.Type);
    }

    private Task<int> RelayAsync() => factory.Services.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None);

    private async Task<List<TableEntity>> EventRowsAsync(string accountId)
    {
        var data = factory.Services.GetRequiredService<DataStore>().Data;
        var page = await data.QueryAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.OutboxPrefix });
        return page.Items.Where(r => r.GetString("Queue") == IntegrationEvents.OutboxTarget).ToList();
    }

    /// <summary>Receives until <paramref name="expected"/> events came, then waits a moment for any extra one (there must be none).</summary>
    private async Task<List<(ServiceBusReceivedMessage Message, CloudEvent Event, JsonNode Json)>> ReceiveAsync(int expected)
    {
        await using var client = new ServiceBusClient(factory.Broker.ConnectionString);
        await using var receiver = client.CreateReceiver("events", "all", new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.ReceiveAndDelete });
        var received = new List<ServiceBusReceivedMessage>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (received.Count < expected && DateTime.UtcNow < deadline)
        {
            received.AddRange(await receiver.ReceiveMessagesAsync(expected, TimeSpan.FromSeconds(1)));
        }

        received.AddRange(await receiver.ReceiveMessagesAsync(10, TimeSpan.FromMilliseconds(500)));
        Assert.Equal(expected, received.Count);
        return received.Select(m => (m, CloudEvent.Parse(m.Body)!, JsonNode.Parse(m.Body.ToString())!)).ToList();
    }
}
