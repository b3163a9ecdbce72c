using System.ComponentModel.DataAnnotations;
using Azure.Identity;
using Azure.Messaging;
using Azure.Messaging.ServiceBus;
using ConnectedAccounts.Functions.Activity;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Events;

/// <summary>The <c>Events</c> section: where integration events go.</summary>
public sealed class EventsOptions
{
    public const string SectionName = "Events";

    [ValidateObjectMembers]
    public ServiceBusEventsOptions ServiceBus { get; set; } = new();
}

/// <summary><c>Events:ServiceBus</c>. Neither namespace nor connection string: no events are sent.</summary>
public sealed class ServiceBusEventsOptions
{
    /// <summary>With the app's identity (DefaultAzureCredential), e.g. <c>myns.servicebus.windows.net</c>.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Instead of the identity (local work, tests).</summary>
    public string? ConnectionString { get; set; }

    [Required]
    public string Topic { get; set; } = "connected-accounts";

    /// <summary>How long one send may take before the relay leaves the event for the next sweep.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan TryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrEmpty(FullyQualifiedNamespace) || !string.IsNullOrEmpty(ConnectionString);
}

[OptionsValidator]
public sealed partial class EventsOptionsValidator : IValidateOptions<EventsOptions>;

/// <summary>
/// Integration events: each activity entry about an account, a member or a connection becomes a CloudEvents 1.0
/// message (Azure.Core's <see cref="CloudEvent"/>) on a Service Bus topic. The event rides in the outbox of the change's
/// own batch (<see cref="OutboxTarget"/>), so it is sent at least once; its <c>MessageId</c> is the entry's id, so the
/// topic's duplicate detection drops a repeat.
/// </summary>
public sealed class IntegrationEvents(IOptions<EventsOptions> options, ILogger<IntegrationEvents> logger) : IAsyncDisposable
{
    /// <summary>The outbox "queue" the relay hands to <see cref="TryPublishAsync"/> instead of a storage queue.</summary>
    public const string OutboxTarget = "servicebus-events";

    public const string Source = "/connected-accounts";

    private static readonly HashSet<string> Published = new(StringComparer.Ordinal) { "account", "member", "connection" };
    private readonly Lazy<(ServiceBusClient Client, ServiceBusSender Sender)> _sender = new(() => Connect(options.Value.ServiceBus));

    public bool Enabled => options.Value.ServiceBus.Enabled;

    /// <summary>Whether <paramref name="entry"/> is published: entries about accounts, members and connections.</summary>
    public bool Publishes(ActivityEntry entry) => Enabled && Published.Contains(entry.Subject.Type);

    /// <summary>The event of an entry on the trail of <paramref name="accountId"/>, as CloudEvents 1.0 JSON.</summary>
    public static string ToCloudEvent(ActivityEntry entry, string accountId)
    {
        var data = BinaryData.FromString(System.Text.Json.JsonSerializer.Serialize(entry, AppJsonContext.Default.ActivityEntry));
        var cloudEvent = new CloudEvent(Source, "connectedaccounts." + entry.Action, data, "application/json", CloudEventDataFormat.Json)
        {
            Id = entry.Id,
            Subject = accountId,
            Time = entry.At,
        };
        return BinaryData.FromObjectAsJson(cloudEvent).ToString();
    }

    /// <summary>Sends one event; false (logged) when Service Bus cannot take it now, and the outbox row stays.</summary>
    public async Task<bool> TryPublishAsync(string cloudEventJson, CancellationToken ct)
    {
        var cloudEvent = CloudEvent.Parse(BinaryData.FromString(cloudEventJson))
            ?? throw new InvalidDataException("An outbox event row holds no CloudEvent.");
        var message = new ServiceBusMessage(BinaryData.FromString(cloudEventJson))
        {
            MessageId = cloudEvent.Id,
            ContentType = "application/cloudevents+json",
            Subject = cloudEvent.Type,
        };
        try
        {
            await _sender.Value.Sender.SendMessageAsync(message, ct);
            return true;
        }
        catch (Exception ex) when (ex is ServiceBusException or TimeoutException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            logger.LogWarning(ex, "Publishing event {EventId} to Service Bus failed; the outbox keeps it for the next sweep.", cloudEvent.Id);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sender.IsValueCreated)
        {
            await _sender.Value.Sender.DisposeAsync();
            await _sender.Value.Client.DisposeAsync();
        }
    }

    private static (ServiceBusClient, ServiceBusSender) Connect(ServiceBusEventsOptions o)
    {
        var clientOptions = new ServiceBusClientOptions { RetryOptions = new ServiceBusRetryOptions { MaxRetries = 1, TryTimeout = o.TryTimeout } };
        var client = o.ConnectionString is { Length: > 0 } cs
            ? new ServiceBusClient(cs, clientOptions)
            : new ServiceBusClient(o.FullyQualifiedNamespace, new DefaultAzureCredential(), clientOptions);
        return (client, client.CreateSender(o.Topic));
    }
}
