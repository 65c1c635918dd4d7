using System.Net.Http.Headers;
using System.Text;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>Runs bodies through the reader the way an attempt does.</summary>
internal static class Bodies
{
    public static Task<ParsedBody> ReadAsync(string body, bool isSuccess = true, long maxImageBytes = OptionsDefaults.MaxImageBytes, string mediaType = "application/json")
        => ReadAsync(Encoding.UTF8.GetBytes(body), isSuccess, maxImageBytes, mediaType);

    public static Task<ParsedBody> ReadAsync(byte[] body, bool isSuccess = true, long maxImageBytes = OptionsDefaults.MaxImageBytes, string mediaType = "application/json")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return BodyReader.ReadAsync(content, isSuccess, maxImageBytes, CancellationToken.None).AsTask();
    }

    /// <summary>Reads through a stream that hands out the body in the given piece sizes (no Content-Length).</summary>
    public static Task<ParsedBody> ReadTrickledAsync(byte[] body, IEnumerable<int> pieces, string mediaType = "application/json")
    {
        var content = new StreamContent(new TrickleStream(body, pieces));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return BodyReader.ReadAsync(content, isSuccess: true, OptionsDefaults.MaxImageBytes, CancellationToken.None).AsTask();
    }

    /// <summary>Feeds the scanner directly in the given piece sizes and interprets the skeleton.</summary>
    public static ParsedBody Scan(byte[] body, IEnumerable<int> pieces)
    {
        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: null);
        var position = 0;
        using var sizes = pieces.GetEnumerator();
        while (position < body.Length)
        {
            var size = sizes.MoveNext() ? Math.Max(1, sizes.Current) : body.Length - position;
            size = Math.Min(size, body.Length - position);
            scanner.Feed(body.AsSpan(position, size));
            position += size;
        }

        scanner.Complete();
        return BodyInterpreter.Interpret(scanner.Skeleton.ToArray(), scanner.Images);
    }

    public static IEnumerable<int> OneByteAtATime()
    {
        while (true)
        {
            yield return 1;
        }
    }

    public static IEnumerable<int> RandomPieces(int seed, int maxPiece = 17)
    {
        var random = new Random(seed);
        while (true)
        {
            yield return random.Next(1, maxPiece + 1);
        }
    }

    /// <summary>A read-only stream that returns at most the next piece size per read.</summary>
    private sealed class TrickleStream(byte[] body, IEnumerable<int> pieces) : Stream
    {
        private readonly IEnumerator<int> _pieces = pieces.GetEnumerator();
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= body.Length)
            {
                return 0;
            }

            var piece = _pieces.MoveNext() ? Math.Max(1, _pieces.Current) : buffer.Length;
            var take = Math.Min(Math.Min(piece, buffer.Length), body.Length - _position);
            body.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
