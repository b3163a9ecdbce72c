using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectedAccounts.Host.Tests.Worker.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MessageCase = ConnectedAccounts.Host.Tests.Worker.Rpc.StreamingMessage.ContentOneofCase;

namespace ConnectedAccounts.Host.Tests.Worker;

/// <summary>A function as the worker indexed it, and the result of loading it.</summary>
public sealed record LoadedFunction(
    string Name, string FunctionId, string TriggerType, string TriggerBindingName, IReadOnlyList<string> RawBindings, string? LoadError)
{
    public bool Loaded => LoadError is null;
}

/// <summary>The InvocationResponse status and, on failure, the worker's exception message.</summary>
public sealed record InvocationOutcome(StatusResult.Types.Status Status, string? ExceptionMessage)
{
    public bool Succeeded => Status == StatusResult.Types.Status.Success;
}

public sealed record HttpInvocation(HttpResponseMessage Response, InvocationOutcome Outcome);

/// <summary>
/// A stand-in for the Azure Functions host: serves the FunctionRpc gRPC stream on loopback, starts a built or
/// published .NET isolated worker as the host does, runs the init / metadata / load handshake and lets a test
/// invoke HTTP, queue and timer functions.
/// </summary>
public sealed class FakeFunctionsHost : IAsyncDisposable
{
    private const string InvocationIdHeader = "x-ms-invocation-id";
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<IServerStreamWriter<StreamingMessage>> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler());
    private readonly Stopwatch _sinceProcessStart = new();
    private readonly string _workerId = Guid.NewGuid().ToString();
    private WebApplication? _server;
    private Process? _worker;
    private Exception? _failure;

    private FakeFunctionsHost() { }

    public IReadOnlyList<LoadedFunction> Functions { get; private set; } = [];

    /// <summary>The worker's own HTTP endpoint (capability "HttpUri"); null without ASP.NET Core integration.</summary>
    public Uri? HttpUri { get; private set; }

    /// <summary>Time from starting the worker process until every function had answered its FunctionLoadRequest.</summary>
    public TimeSpan Started { get; private set; }

    public TimeSpan SinceProcessStart => _sinceProcessStart.Elapsed;

    /// <summary>Worker stdout, stderr and RpcLog messages, for diagnostics.</summary>
    public string WorkerOutput => string.Join(Environment.NewLine, _output);

    public static async Task<FakeFunctionsHost> StartAsync(
        string appDirectory, string assemblyFileName, IDictionary<string, string?> environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var host = new FakeFunctionsHost();
        appDirectory = Path.GetFullPath(appDirectory);
        try
        {
            host.StartWorker(appDirectory, assemblyFileName, environment, await host.StartServerAsync(ct));
            await host.HandshakeAsync(appDirectory, ct);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends the InvocationRequest and, as the host does at the same time, forwards <paramref name="request"/>
    /// (its RequestUri relative to the app root, e.g. "api/things/42") to the worker's HttpUri.
    /// </summary>
    public async Task<HttpInvocation> InvokeHttpAsync(
        string functionName, HttpRequestMessage request, IReadOnlyDictionary<string, string> routeValues, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(routeValues);
        var baseUri = HttpUri ?? throw new InvalidOperationException("The worker reported no HttpUri capability.");
        if (request.RequestUri is not { IsAbsoluteUri: false } relative)
        {
            throw new ArgumentException("RequestUri must be relative to the app root, e.g. api/things/42.", nameof(request));
        }

        var function = Find(functionName, "httpTrigger");
        request.RequestUri = new Uri(baseUri, relative);
        var headers = (request.Content is null ? request.Headers : request.Headers.Concat(request.Content.Headers))
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value));
        var query = QueryHelpers.ParseQuery(request.RequestUri.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        var rpcHttp = new RpcHttp { Method = request.Method.Method, Url = request.RequestUri.ToString(), Headers = { headers }, Query = { query } };

        var invocation = NewInvocation(function, new TypedData { Http = rpcHttp });
        foreach (var (name, value) in routeValues)
        {
            invocation.TriggerMetadata[name] = new TypedData { String = value };
        }

        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(headers) };
        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(query) };
        request.Headers.Add(InvocationIdHeader, invocation.InvocationId);

        var outcomeTask = InvokeAsync(invocation, ct);
        var responseTask = ForwardAsync(request, ct);
        var outcome = await outcomeTask;
        try
        {
            return new HttpInvocation(await responseTask, outcome);
        }
        catch (HttpRequestException e) when (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"'{functionName}' failed without an HTTP answer: {outcome.ExceptionMessage}", e);
        }
    }

    public Task<InvocationOutcome> InvokeQueueAsync(
        string functionName, string messageText, int dequeueCount = 1, CancellationToken ct = default)
    {
        var invocation = NewInvocation(Find(functionName, "queueTrigger"), new TypedData { String = messageText });
        invocation.TriggerMetadata.Add(new Dictionary<string, TypedData>
        {
            ["QueueTrigger"] = new() { String = messageText },
            ["DequeueCount"] = new() { Json = dequeueCount.ToString(CultureInfo.InvariantCulture) },
            ["Id"] = new() { String = Guid.NewGuid().ToString() },
            ["PopReceipt"] = new() { String = Guid.NewGuid().ToString() },
            ["InsertionTime"] = new() { Json = JsonSerializer.Serialize(DateTimeOffset.UtcNow) },
        });
        return InvokeAsync(invocation, ct);
    }

    public Task<InvocationOutcome> InvokeTimerAsync(string functionName, CancellationToken ct = default)
    {
        var now = DateTime.UtcNow;
        var timerInfo = new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = now.AddMinutes(-5), Next = now.AddMinutes(5), LastUpdated = now.AddMinutes(-5) },
            IsPastDue = false,
        };
        var data = new TypedData { Json = JsonSerializer.Serialize(timerInfo) };
        return InvokeAsync(NewInvocation(Find(functionName, "timerTrigger"), data), ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            try
            {
                _worker.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // The worker had already exited.
            }

            await _worker.WaitForExitAsync();
            _worker.Dispose();
        }

        Fail(new ObjectDisposedException(nameof(FakeFunctionsHost)));
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }

        _http.Dispose();
        _writeLock.Dispose();
    }

    private async Task<int> StartServerAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(new RpcService(this));
        _server = builder.Build();
        _server.MapGrpcService<RpcService>();
        await _server.StartAsync(ct);
        return new Uri(_server.Urls.Single()).Port;
    }

    private void StartWorker(string appDirectory, string assemblyFileName, IDictionary<string, string?> environment, int port)
    {
        string[] arguments =
        [
            Path.Combine(appDirectory, assemblyFileName),
            "--functions-uri", $"http://127.0.0.1:{port}/",
            "--functions-worker-id", _workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", "2147483647",
        ];
        var startInfo = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = appDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        startInfo.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Capture("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => Capture("stderr", e.Data);
        process.Exited += (_, _) => Fail(new InvalidOperationException($"The worker exited with code {process.ExitCode}."));
        _sinceProcessStart.Start();
        process.Start();
        _worker = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private async Task HandshakeAsync(string appDirectory, CancellationToken ct)
    {
        var initRequest = new WorkerInitRequest { HostVersion = "4.0.0-fake", WorkerDirectory = appDirectory, FunctionAppDirectory = appDirectory };
        var init = (await RequestAsync(new() { WorkerInitRequest = initRequest }, MessageCase.WorkerInitResponse, ct)).WorkerInitResponse;
        EnsureSuccess(init.Result, "WorkerInitRequest");
        HttpUri = init.Capabilities.TryGetValue("HttpUri", out var httpUri) ? new Uri(httpUri) : null;

        var metadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory };
        var metadata = (await RequestAsync(
            new() { FunctionsMetadataRequest = metadataRequest }, MessageCase.FunctionMetadataResponse, ct)).FunctionMetadataResponse;
        EnsureSuccess(metadata.Result, "FunctionsMetadataRequest");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked for host indexing, which the fake host does not do.");
        }

        // As the host does, every FunctionLoadRequest is sent before any answer is awaited.
        Functions = await Task.WhenAll(metadata.FunctionMetadataResults.Select(async function =>
        {
            var load = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function };
            var result = (await RequestAsync(new() { FunctionLoadRequest = load }, MessageCase.FunctionLoadResponse, ct))
                .FunctionLoadResponse.Result;
            var trigger = function.RawBindings.Select(b => JsonNode.Parse(b)!)
                .Single(b => ((string?)b["type"])?.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) == true);
            return new LoadedFunction(
                function.Name, function.FunctionId, (string)trigger["type"]!, (string)trigger["name"]!, [.. function.RawBindings],
                result.Status == StatusResult.Types.Status.Success ? null : Describe(result));
        }));
        Started = _sinceProcessStart.Elapsed;
    }

    private LoadedFunction Find(string functionName, string triggerType)
    {
        var function = Functions.SingleOrDefault(f => f.Name == functionName)
            ?? throw new ArgumentException($"No function '{functionName}'; the worker has: {string.Join(", ", Functions.Select(f => f.Name))}.", nameof(functionName));
        if (!string.Equals(function.TriggerType, triggerType, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{functionName}' has a {function.TriggerType}, not a {triggerType}.", nameof(functionName));
        }

        return function.Loaded ? function : throw new InvalidOperationException($"'{functionName}' did not load: {function.LoadError}");
    }

    private async Task<HttpResponseMessage> ForwardAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReplyTimeout);

        // As the real host's RetryProxyHandler does (10 attempts, 50 ms doubling up to 250 ms): right after the
        // handshake the worker's Kestrel may not listen yet. HttpMessageInvoker, unlike HttpClient, can resend a request.
        for (int attempt = 1, delay = 50; ; attempt++, delay = Math.Min(delay * 2, 250))
        {
            try
            {
                return await _http.SendAsync(request, timeout.Token);
            }
            catch (HttpRequestException) when (attempt < 10)
            {
                await Task.Delay(delay, timeout.Token);
            }
        }
    }

    private static InvocationRequest NewInvocation(LoadedFunction function, TypedData triggerData) => new()
    {
        InvocationId = Guid.NewGuid().ToString(),
        FunctionId = function.FunctionId,
        InputData = { new ParameterBinding { Name = function.TriggerBindingName, Data = triggerData } },
        TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" },
    };

    private async Task<InvocationOutcome> InvokeAsync(InvocationRequest invocation, CancellationToken ct)
    {
        var result = (await RequestAsync(new() { InvocationRequest = invocation }, MessageCase.InvocationResponse, ct))
            .InvocationResponse.Result;
        return new InvocationOutcome(result.Status, result.Exception?.Message);
    }

    private async Task<StreamingMessage> RequestAsync(StreamingMessage message, MessageCase expected, CancellationToken ct)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[message.RequestId] = reply;
        if (_failure is not null)
        {
            reply.TrySetException(_failure);
        }

        try
        {
            var writer = await _stream.Task.WaitAsync(ReplyTimeout, ct);
            await _writeLock.WaitAsync(ct);
            try
            {
                await writer.WriteAsync(message, ct);
            }
            finally
            {
                _writeLock.Release();
            }

            var answer = await reply.Task.WaitAsync(ReplyTimeout, ct);
            return answer.ContentCase == expected
                ? answer
                : throw new InvalidOperationException($"Expected {expected} for {message.ContentCase}, got {answer.ContentCase}.");
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"{message.ContentCase} got no {expected}: {e.Message}{Environment.NewLine}Worker output:{Environment.NewLine}{WorkerOutput}", e);
        }
    }

    private async Task RunStreamAsync(
        IAsyncStreamReader<StreamingMessage> reader, IServerStreamWriter<StreamingMessage> writer, CancellationToken ct)
    {
        try
        {
            if (!await reader.MoveNext(ct) || reader.Current.StartStream?.WorkerId != _workerId)
            {
                throw new InvalidOperationException($"The worker did not open the stream with StartStream for worker id {_workerId}.");
            }

            _stream.TrySetResult(writer);
            while (await reader.MoveNext(ct))
            {
                var message = reader.Current;
                if (message.ContentCase == MessageCase.RpcLog)
                {
                    var log = message.RpcLog;
                    Capture($"rpc {log.Level} {log.Category}", $"{log.Message} {log.Exception?.Message}");
                }
                else if (_pending.TryRemove(message.RequestId, out var reply))
                {
                    reply.TrySetResult(message);
                }
                else
                {
                    Capture("fake host", $"unexpected {message.ContentCase} for request id '{message.RequestId}'");
                }
            }

            Fail(new InvalidOperationException("The worker closed the event stream."));
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    private void Fail(Exception error)
    {
        _failure ??= error;
        _stream.TrySetException(error);
        foreach (var requestId in _pending.Keys)
        {
            if (_pending.TryRemove(requestId, out var reply))
            {
                reply.TrySetException(error);
            }
        }
    }

    private void Capture(string source, string? line)
    {
        if (line is not null)
        {
            _output.Enqueue($"[{source}] {line}");
        }
    }

    private static void EnsureSuccess(StatusResult result, string request)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{request} failed: {Describe(result)}");
        }
    }

    private static string Describe(StatusResult result) => $"{result.Status} {result.Result} {result.Exception?.Message}".Trim();

    private sealed class RpcService(FakeFunctionsHost host) : FunctionRpc.FunctionRpcBase
    {
        public override Task EventStream(
            IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
            => host.RunStreamAsync(requestStream, responseStream, context.CancellationToken);
    }
}
