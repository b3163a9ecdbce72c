using System.Diagnostics.CodeAnalysis;
using global::Azure;
using global::Azure.Core;
using global::Azure.Core.Pipeline;

namespace ConnectedAccounts.Storage.Tests.Azure;

/// <summary>
/// The network between the service and Azure Storage, as it fails in the cloud: an Azure.Core pipeline policy (per
/// attempt, behind the retry policy) that can lose the answer of the k-th write after the store applied it — the
/// client sees a dropped connection and sends the write again — or, at a rate, answer 503 without sending, drop the
/// connection before sending, or lose the answer after it. A write is any request but GET and HEAD.
/// </summary>
public sealed class StorageFaults : HttpPipelinePolicy
{
    private readonly Lock _gate = new();
    private int _writes;
    private int _loseWrite;
    private double _rate;
    private Random _random = new(0);
    private (Func<string, bool> When, Action Then)? _beforeWrite;
    private Func<HttpMessage, bool>? _loseAnswer;

    public enum Kind
    {
        None,
        ServiceUnavailable,
        DroppedBefore,
        DroppedAfter,
    }

    /// <summary>Write attempts seen since the last <see cref="LoseWrite"/> or <see cref="CountOnly"/>.</summary>
    public int Writes { get { lock (_gate) { return _writes; } } }

    /// <summary>Faults injected since the last arming, by kind.</summary>
    public Dictionary<Kind, int> Injected { get; } = [];

    /// <summary>Loses the answer of the <paramref name="k"/>-th write attempt from now (1-based), once.</summary>
    public void LoseWrite(int k) => Arm(k, 0, 0);

    /// <summary>No faults; counts the write attempts from now.</summary>
    public void CountOnly() => Arm(0, 0, 0);

    /// <summary>Fails <paramref name="rate"/> of all requests, a third of each kind, from a seeded sequence.</summary>
    public void FailAtRate(double rate, int seed) => Arm(0, rate, seed);

    public void Off() => Arm(0, 0, 0);

    /// <summary>Loses the answer of the first request whose answer matches <paramref name="which"/> (any method), once.</summary>
    public void LoseAnswer(Func<HttpMessage, bool> which)
    {
        lock (_gate)
        {
            _loseAnswer = which;
        }
    }

    /// <summary>
    /// Runs <paramref name="then"/> (another writer, say) once, just before the first write whose request body
    /// matches <paramref name="when"/> is sent: a race lost at exactly that moment.
    /// </summary>
    public void BeforeWrite(Func<string, bool> when, Action then)
    {
        lock (_gate)
        {
            _beforeWrite = (when, then);
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var fault = Decide(message.Request);
        if (fault == Kind.ServiceUnavailable)
        {
            message.Response = new UnavailableResponse();
            return;
        }

        ThrowIf(fault == Kind.DroppedBefore, "before the request was sent");
        ProcessNext(message, pipeline);
        ThrowIf(fault == Kind.DroppedAfter || LosesAnswer(message), "after the store answered");
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var fault = Decide(message.Request);
        if (fault == Kind.ServiceUnavailable)
        {
            message.Response = new UnavailableResponse();
            return;
        }

        ThrowIf(fault == Kind.DroppedBefore, "before the request was sent");
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        ThrowIf(fault == Kind.DroppedAfter || LosesAnswer(message), "after the store answered");
    }

    private void Arm(int loseWrite, double rate, int seed)
    {
        lock (_gate)
        {
            _writes = 0;
            _loseWrite = loseWrite;
            _rate = rate;
            _random = new Random(seed);
            _beforeWrite = null;
            _loseAnswer = null;
            Injected.Clear();
        }
    }

    private Kind Decide(Request request)
    {
        var isWrite = request.Method != RequestMethod.Get && request.Method != RequestMethod.Head;
        if (isWrite && TakeBeforeWrite(request) is { } then)
        {
            then();
        }

        lock (_gate)
        {
            var fault = Kind.None;
            if (isWrite && ++_writes == _loseWrite)
            {
                fault = Kind.DroppedAfter;
            }
            else if (_rate > 0 && _random.NextDouble() < _rate)
            {
                fault = (Kind)(1 + _random.Next(3));
            }

            if (fault != Kind.None)
            {
                Injected[fault] = Injected.GetValueOrDefault(fault) + 1;
            }

            return fault;
        }
    }

    private bool LosesAnswer(HttpMessage message)
    {
        lock (_gate)
        {
            if (_loseAnswer is not { } which || !which(message))
            {
                return false;
            }

            _loseAnswer = null;
            Injected[Kind.DroppedAfter] = Injected.GetValueOrDefault(Kind.DroppedAfter) + 1;
            return true;
        }
    }

    private Action? TakeBeforeWrite(Request request)
    {
        lock (_gate)
        {
            if (_beforeWrite is not { } hook || request.Content is null)
            {
                return null;
            }

            using var body = new MemoryStream();
            request.Content.WriteTo(body, CancellationToken.None);
            if (!hook.When(System.Text.Encoding.UTF8.GetString(body.ToArray())))
            {
                return null;
            }

            _beforeWrite = null;
            return hook.Then;
        }
    }

    private static void ThrowIf(bool fault, string when)
    {
        if (fault)
        {
            // What a reset connection looks like to Azure.Core: an IOException, which its retry policy retries.
            throw new IOException($"Injected fault: the connection dropped {when}.");
        }
    }

    /// <summary>A 503 from the front end, as storage answers under load; Azure.Core retries it.</summary>
    private sealed class UnavailableResponse : Response
    {
        public override int Status => 503;

        // The transport marks error answers; this one never reaches it, and the retry policy only retries errors.
        public override bool IsError => true;

        public override string ReasonPhrase => "Service Unavailable";

        public override Stream? ContentStream { get; set; } = new MemoryStream();

        public override string ClientRequestId { get; set; } = "";

        public override void Dispose() => ContentStream?.Dispose();

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}
