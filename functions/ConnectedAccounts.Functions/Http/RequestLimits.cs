using Microsoft.AspNetCore.Http.Features;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// Refuses request targets over <see cref="MaxRequestTargetLength"/> with 414 and bodies over
/// <see cref="MaxBodyBytes"/> with 413 before anything reads them. Kestrel has its own limits, but the Functions host
/// and the test server do not enforce Kestrel's, and Kestrel answers without a problem document, so the rules live
/// here, once.
/// </summary>
public sealed class RequestLimitsMiddleware(RequestDelegate next)
{
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>Kestrel's own default request line limit, now ours.</summary>
    public const int MaxRequestTargetLength = 8 * 1024;

    /// <summary>Kestrel's limit, set well above ours so that ours answers; only a line longer still gets Kestrel's bare 414.</summary>
    public const int KestrelMaxRequestLineBytes = 256 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value + context.Request.QueryString.Value;
        if (target.Length > MaxRequestTargetLength)
        {
            return Problems.Create(StatusCodes.Status414UriTooLong, "request-target-too-long", "Request target too long",
                $"A request's path and query have at most {MaxRequestTargetLength} characters.").ExecuteAsync(context);
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return TooLarge(context);
        }

        if (context.Request.ContentLength is null && context.Request.Body.CanRead)
        {
            context.Request.Body = new LimitedStream(context.Request.Body, MaxBodyBytes);
        }

        return next(context);
    }

    private static Task TooLarge(HttpContext context) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "body-too-large", "Request body too large", $"A request body has at most {MaxBodyBytes} bytes.")
            .ExecuteAsync(context);

    /// <summary>For chunked bodies: reading past the limit fails the request as 413.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read > limit
                ? throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge)
                : read;
        }
    }
}
