using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>
/// A minimal in-process AMQP 1.0 broker that the Azure Service Bus SDK can talk to over plain TCP
/// (connection string with <c>UseDevelopmentEmulator=true</c>). It knows topics with subscriptions
/// (and plain queues), answers the SDK's <c>$cbs</c> token requests, detects duplicate MessageIds per
/// topic, and supports ReceiveAndDelete and PeekLock (settled by disposition) receivers. Ours because no Service Bus
/// emulator runs here and Debian's brokers cannot answer the SDK's <c>$cbs</c> handshake.
/// </summary>
public sealed class LocalServiceBus : IAsyncDisposable
{
    private const string CbsAddress = "$cbs";
    private static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(1);

    private readonly object gate = new();
    private readonly Dictionary<string, Topic> topics = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Subscription> sources = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SendingAmqpLink> cbsReplyLinks = new(StringComparer.Ordinal);
    private readonly HashSet<AmqpConnection> connections = [];
    private readonly List<string> duplicatesDropped = [];
    private readonly AmqpSettings settings;
    private AmqpTransportListener? listener;
    private long lastSequenceNumber;

    private LocalServiceBus(int port)
    {
        Port = port;
        ConnectionString = string.Create(
            CultureInfo.InvariantCulture,
            $"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=local;SharedAccessKey=bG9jYWw=;UseDevelopmentEmulator=true");

        var sasl = new SaslTransportProvider();
        sasl.Versions.Add(new AmqpVersion(1, 0, 0));
        sasl.AddHandler(new SaslAnonymousHandler());
        sasl.AddHandler(new SaslAnonymousHandler("MSSBCBS"));
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        settings = new AmqpSettings { RuntimeProvider = new Runtime(this) };
        settings.TransportProviders.Add(sasl);
        settings.TransportProviders.Add(amqp);
    }

    /// <summary>Gets the connection string for a <c>ServiceBusClient</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets the TCP port the broker listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Gets the MessageIds that were accepted but dropped by duplicate detection, in order.</summary>
    public IReadOnlyList<string> DuplicatesDropped
    {
        get { lock (gate) { return [.. duplicatesDropped]; } }
    }

    /// <summary>
    /// Starts a broker on a free port. Each entry is either <c>"topic/subscriptions/name"</c>
    /// (a topic with that subscription) or a plain name (a queue, or a topic without subscriptions).
    /// </summary>
    public static LocalServiceBus Start(params string[] topicsWithSubscriptions)
    {
        ArgumentNullException.ThrowIfNull(topicsWithSubscriptions);
        var bus = new LocalServiceBus(FindFreePort());
        foreach (string entity in topicsWithSubscriptions) { bus.Declare(entity); }

        bus.Listen();
        return bus;
    }

    /// <summary>Takes the broker down: closes the listener and every open connection.</summary>
    public void Stop()
    {
        AmqpConnection[] open;
        lock (gate)
        {
            listener?.Close();
            listener = null;
            open = [.. connections];
            connections.Clear();
            cbsReplyLinks.Clear();
        }

        foreach (AmqpConnection connection in open) { connection.Abort(); }
    }

    /// <summary>Listens again on the same port; messages held by the broker are kept.</summary>
    public void Restart()
    {
        Stop();
        Listen();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private static int FindFreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static string Normalize(string address)
    {
        string path = Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) && !uri.IsFile ? uri.AbsolutePath : address;
        return Uri.UnescapeDataString(path).Trim('/');
    }

    private void Declare(string entity)
    {
        string[] parts = Normalize(entity).Split('/');
        bool isSubscription = parts.Length == 3 && parts[1].Equals("subscriptions", StringComparison.OrdinalIgnoreCase);
        if (!(isSubscription || parts.Length == 1) || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"'{entity}' is neither 'topic/subscriptions/name' nor a plain entity name.", nameof(entity));
        }

        if (!topics.TryGetValue(parts[0], out Topic? topic))
        {
            // Every topic also works as a queue: a receiver on the bare name gets everything sent to it.
            topics.Add(parts[0], topic = new Topic());
            topic.Subscriptions.Add(sources[parts[0]] = new Subscription());
        }

        string address = $"{parts[0]}/subscriptions/{parts[^1]}";
        if (isSubscription && !sources.ContainsKey(address)) { topic.Subscriptions.Add(sources[address] = new Subscription()); }
    }

    private void Listen()
    {
        var tcp = new TcpTransportSettings { Host = IPAddress.Loopback.ToString(), Port = Port };
        var amqpListener = new AmqpTransportListener([tcp.CreateListener()], settings);
        lock (gate) { listener = amqpListener; }
        amqpListener.Listen(OnAcceptTransport);
    }

    private void OnAcceptTransport(TransportListener transportListener, TransportAsyncCallbackArgs args)
    {
        var connectionSettings = new AmqpConnectionSettings
        {
            ContainerId = "local-service-bus",
            MaxFrameSize = 64 * 1024,
            IdleTimeOut = 120_000,
        };
        var connection = new AmqpConnection(args.Transport, (ProtocolHeader)args.UserToken, false, settings, connectionSettings);
        lock (gate)
        {
            if (listener is null)
            {
                connection.Abort();
                return;
            }

            connections.Add(connection);
        }

        connection.Closed += (_, _) => { lock (gate) { connections.Remove(connection); } };
        _ = OpenAsync(connection);
    }

    private static async Task OpenAsync(AmqpConnection connection)
    {
        try
        {
            await connection.OpenAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is AmqpException or IOException or OperationCanceledException or ObjectDisposedException or TimeoutException or InvalidOperationException)
        {
            connection.Abort();
        }
    }

    /// <summary>Called when a client attaches a link; <paramref name="link"/> is the broker's end of it.</summary>
    private void Attach(AmqpLink link)
    {
        Address? address = link.IsReceiver ? ((Target)link.Settings.Target).Address : ((Source)link.Settings.Source).Address;
        string name = Normalize(address?.ToString() ?? throw new AmqpException(AmqpErrorCode.InvalidField, "Address not set."));
        if (name.Equals(CbsAddress, StringComparison.OrdinalIgnoreCase))
        {
            AttachCbs(link);
        }
        else if (link is ReceivingAmqpLink publisher)
        {
            Topic topic = topics.GetValueOrDefault(name) ?? throw NotFound(name);
            publisher.RegisterMessageListener(message => OnPublish(publisher, topic, message));
            publisher.SetTotalLinkCredit(100, true, true);
        }
        else
        {
            Subscription subscription = sources.GetValueOrDefault(name) ?? throw NotFound(name);
            subscription.AddConsumer((SendingAmqpLink)link);
        }
    }

    private static AmqpException NotFound(string name) =>
        new(AmqpErrorCode.NotFound, $"The messaging entity '{name}' could not be found.");

    private void AttachCbs(AmqpLink link)
    {
        if (link is ReceivingAmqpLink requests)
        {
            requests.RegisterMessageListener(request => OnCbsRequest(requests, request));
            requests.SetTotalLinkCredit(100, true, true);
            return;
        }

        string key = CbsKey(link.Session.Connection, ((Target)link.Settings.Target).Address?.ToString());
        lock (gate) { cbsReplyLinks[key] = (SendingAmqpLink)link; }
        link.Closed += (_, _) => { lock (gate) { cbsReplyLinks.Remove(key); } };
    }

    private static string CbsKey(AmqpConnection connection, string? replyTo) =>
        $"{connection.Identifier}|{replyTo}";

    [SuppressMessage("Reliability", "CA2000", Justification = "The link owns (and disposes) messages handed to it.")]
    private void OnCbsRequest(ReceivingAmqpLink link, AmqpMessage request)
    {
        using (request)
        {
            SendingAmqpLink? replyLink;
            lock (gate)
            {
                cbsReplyLinks.TryGetValue(CbsKey(link.Session.Connection, request.Properties?.ReplyTo?.ToString()), out replyLink);
            }

            if (!request.Settled) { link.AcceptMessage(request, false); }
            if (replyLink is null) { return; }

            // Every token is good enough for a local broker.
            AmqpMessage response = AmqpMessage.Create();
            response.Properties.CorrelationId = request.Properties?.MessageId;
            response.ApplicationProperties.Map["status-code"] = 200;
            response.ApplicationProperties.Map["status-description"] = "OK";
            response.Settled = true;
            replyLink.SendMessageNoWait(response, AmqpConstants.EmptyBinary, AmqpConstants.NullBinary);
        }
    }

    private void OnPublish(ReceivingAmqpLink link, Topic topic, AmqpMessage message)
    {
        using (message)
        {
            // SendMessagesAsync with several messages sends one batch envelope whose Data sections are whole messages.
            IEnumerable<byte[]> payloads = message.MessageFormat == AmqpConstants.AmqpBatchedMessageFormat
                ? message.DataBody.Select(data => data.Value switch
                {
                    ArraySegment<byte> segment => segment.ToArray(),
                    byte[] bytes => bytes,
                    _ => throw new AmqpException(AmqpErrorCode.DecodeError, "Unexpected batch section."),
                }).ToList()
                : [Serialize(message)];
            foreach (byte[] payload in payloads) { Publish(topic, payload); }

            link.AcceptMessage(message, false);
        }
    }

    private static byte[] Serialize(AmqpMessage message)
    {
        using var copy = new MemoryStream();
        message.ToStream().CopyTo(copy); // the stream belongs to the message, which disposes it
        return copy.ToArray();
    }

    [SuppressMessage("Reliability", "CA2000", Justification = "The message owns the stream; callers dispose the message or hand it to a link.")]
    private static AmqpMessage Decode(byte[] payload) =>
        AmqpMessage.CreateAmqpStreamMessage(new BufferListStream([new ArraySegment<byte>(payload)]));

    private void Publish(Topic topic, byte[] payload)
    {
        string? messageId;
        using (AmqpMessage probe = Decode(payload))
        {
            messageId = probe.Properties?.MessageId?.ToString();
        }

        long sequenceNumber;
        lock (gate)
        {
            if (messageId is not null && !topic.SeenMessageIds.Add(messageId))
            {
                duplicatesDropped.Add(messageId);
                return;
            }

            sequenceNumber = ++lastSequenceNumber;
        }

        var enqueuedAt = DateTime.UtcNow;
        foreach (Subscription subscription in topic.Subscriptions)
        {
            subscription.Enqueue(new Entry(payload, sequenceNumber, enqueuedAt));
        }
    }

    private sealed class Topic
    {
        public HashSet<string> SeenMessageIds { get; } = new(StringComparer.Ordinal);
        public List<Subscription> Subscriptions { get; } = [];
    }

    /// <summary>One message held by one subscription; <see cref="LockedBy"/> is set while a PeekLock receiver holds it.</summary>
    private sealed class Entry(byte[] payload, long sequenceNumber, DateTime enqueuedAt)
    {
        public byte[] Payload => payload;
        public long SequenceNumber => sequenceNumber;
        public DateTime EnqueuedAt => enqueuedAt;
        public Consumer? LockedBy { get; set; }
    }

    private sealed class Consumer(SendingAmqpLink link)
    {
        public SendingAmqpLink Link => link;
        public long Credit { get; set; }
        public Dictionary<Guid, Entry> Locked { get; } = [];
        public bool DeleteOnSend => link.Settings.SettleType == SettleMode.SettleOnSend;
    }

    /// <summary>A subscription (or queue): the messages it holds and the receivers attached to it.</summary>
    private sealed class Subscription
    {
        private readonly object sync = new();
        private readonly LinkedList<Entry> entries = new();
        private readonly List<Consumer> consumers = [];

        public void Enqueue(Entry entry)
        {
            lock (sync)
            {
                entries.AddLast(entry);
                Pump();
            }
        }

        public void AddConsumer(SendingAmqpLink link)
        {
            var consumer = new Consumer(link);
            lock (sync) { consumers.Add(consumer); }

            link.RegisterCreditListener((credit, drain, _) => OnCredit(consumer, credit, drain));
            link.RegisterDispositionListener(delivery => OnDisposition(consumer, delivery));
            link.Closed += (_, _) => OnClosed(consumer);
        }

        private void OnCredit(Consumer consumer, uint credit, bool drain)
        {
            lock (sync)
            {
                consumer.Credit = credit == uint.MaxValue ? long.MaxValue : consumer.Credit + credit;
                Pump();
                if (drain) { consumer.Credit = 0; }
            }
        }

        private void OnDisposition(Consumer consumer, Delivery delivery)
        {
            lock (sync)
            {
                if (delivery.DeliveryTag.Count == 16 && consumer.Locked.Remove(new Guid(delivery.DeliveryTag), out Entry? entry))
                {
                    if (delivery.State is Accepted or Rejected)
                    {
                        entries.Remove(entry);
                    }
                    else
                    {
                        entry.LockedBy = null; // released or modified (abandon): deliver again
                    }
                }

                if (!delivery.Settled) { consumer.Link.DisposeDelivery(delivery, true, delivery.State); }

                Pump();
            }
        }

        private void OnClosed(Consumer consumer)
        {
            lock (sync)
            {
                consumers.Remove(consumer);
                foreach (Entry entry in consumer.Locked.Values)
                {
                    entry.LockedBy = null; // back to the queue, like an expired lock
                }

                consumer.Locked.Clear();
                Pump();
            }
        }

        /// <summary>Hands unlocked messages, oldest first, to receivers with credit. Caller holds <see cref="sync"/>.</summary>
        private void Pump()
        {
            foreach (Consumer consumer in consumers)
            {
                LinkedListNode<Entry>? node = entries.First;
                while (node is not null && consumer.Credit > 0)
                {
                    LinkedListNode<Entry>? next = node.Next;
                    if (node.Value.LockedBy is null) { Send(consumer, node); }

                    node = next;
                }
            }
        }

        [SuppressMessage("Reliability", "CA2000", Justification = "The link owns (and disposes) messages handed to it.")]
        private void Send(Consumer consumer, LinkedListNode<Entry> node)
        {
            Entry entry = node.Value;
            var lockToken = Guid.NewGuid();
            AmqpMessage message = Decode(entry.Payload); // a fresh copy per delivery, re-encoded with these annotations
            message.MessageAnnotations.Map["x-opt-sequence-number"] = entry.SequenceNumber;
            message.MessageAnnotations.Map["x-opt-enqueued-time"] = entry.EnqueuedAt;
            if (consumer.DeleteOnSend)
            {
                entries.Remove(node);
            }
            else
            {
                message.MessageAnnotations.Map["x-opt-locked-until"] = DateTime.UtcNow.Add(LockDuration);
                entry.LockedBy = consumer;
                consumer.Locked[lockToken] = entry;
            }

            consumer.Credit--;
            consumer.Link.SendMessageNoWait(message, new ArraySegment<byte>(lockToken.ToByteArray()), AmqpConstants.NullBinary);
        }
    }

    /// <summary>Plugs the broker into Microsoft.Azure.Amqp's server-side link creation.</summary>
    private sealed class Runtime(LocalServiceBus bus) : IRuntimeProvider
    {
        public AmqpConnection CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator, AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings) =>
            new(transport, protocolHeader, isInitiator, amqpSettings, connectionSettings);

        public AmqpSession CreateSession(AmqpConnection connection, AmqpSessionSettings settings) =>
            new(connection, settings, this);

        public AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
        {
            settings.MaxMessageSize = 4 * 1024 * 1024;
            return settings.Role == true
                ? new ReceivingAmqpLink(session, settings)
                : new SendingAmqpLink(session, settings);
        }

        public IAsyncResult BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state)
        {
            bus.Attach(link);
            var completion = new TaskCompletionSource(state);
            completion.SetResult();
            callback(completion.Task);
            return completion.Task;
        }

        public void EndOpenLink(IAsyncResult result) => ((Task)result).GetAwaiter().GetResult();
    }
}
