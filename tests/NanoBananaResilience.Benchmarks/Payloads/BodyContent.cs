using System.Net;
using System.Net.Http.Headers;

namespace NanoBananaResilience.Benchmarks.Payloads;

/// <summary>Whether a body declares its length (Content-Length) or not (chunked transfer).</summary>
public enum Framing
{
    ContentLength,
    Chunked,
}

/// <summary>
/// An in-memory response body that reads like one from a socket: in pieces of at most 16 KiB (a TLS record),
/// with or without a declared length. One instance per read, as an <see cref="HttpResponseMessage"/> would have.
/// </summary>
public sealed class BodyContent : HttpContent
{
    /// <summary>The largest piece one read returns.</summary>
    public const int PieceSize = 16 * 1024;

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly byte[] _body;
    private readonly Framing _framing;
    private readonly Action? _onRead;

    /// <param name="body">The body.</param>
    /// <param name="framing">Whether the length is declared.</param>
    /// <param name="onRead">Called before every read (the held-memory probe); null in benchmarks.</param>
    public BodyContent(byte[] body, Framing framing, Action? onRead = null)
    {
        _body = body;
        _framing = framing;
        _onRead = onRead;
        Headers.ContentType = Json;
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new PieceStream(_body, _onRead));

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var source = new PieceStream(_body, _onRead);
        await using (source)
        {
            await source.CopyToAsync(stream);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return _framing == Framing.ContentLength;
    }

    /// <summary>A read-only stream over the body that hands out at most <see cref="PieceSize"/> bytes per read.</summary>
    private sealed class PieceStream(byte[] body, Action? onRead) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            onRead?.Invoke();
            var take = Math.Min(Math.Min(buffer.Length, PieceSize), body.Length - _position);
            body.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
