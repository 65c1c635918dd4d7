using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Text;

namespace NanoBananaResilience.Tests.Protocol;

/// <summary>
/// The reader's memory promise, measured deterministically: bytes allocated on the current thread while a
/// multi-megabyte answer is read. Never speed.
/// </summary>
public sealed class StreamingMemoryTests
{
    private const int ImageBytes = 32 * 1024 * 1024;

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task ReadAsync_32MiBImage_AllocatesAboutOneImage(bool declaresLength, bool escapeSlashes)
    {
        var (body, image) = BuildBody(ImageBytes, escapeSlashes);

        // Warm up the code paths (JIT, static caches) and the pools a chunked read rents its segments from.
        using (var warm = new SynchronousContent(body, declaresLength))
        {
            _ = await BodyReader.ReadAsync(warm, isSuccess: true, OptionsDefaultsForTests.MaxImageBytes, CancellationToken.None);
        }

        using var content = new SynchronousContent(body, declaresLength);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var parsed = await BodyReader.ReadAsync(content, isSuccess: true, OptionsDefaultsForTests.MaxImageBytes, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Single(parsed.Images);
        Assert.True(parsed.Images[0].Data.Span.SequenceEqual(image));
        Assert.True(allocated < 1.2 * ImageBytes, $"allocated {allocated:N0} bytes for a {ImageBytes:N0}-byte image ({(double)allocated / ImageBytes:0.000} × N)");
    }

    [Fact]
    public async Task ReadAsync_ChunkedBodyWithTwoImagesAcrossSegments_DecodesEachExactly()
    {
        // Sizes around the 1 MiB segments: the first image ends inside its second segment, the second spans three.
        var first = RandomImage(1_500_000, seed: 1);
        var second = RandomImage(2_200_001, seed: 2);
        var json = "{\"data\":[{\"b64_json\":\"" + Convert.ToBase64String(first) + "\"},{\"b64_json\":\"" + Convert.ToBase64String(second) + "\"}]}";
        using var content = new SynchronousContent(Encoding.ASCII.GetBytes(json), declaresLength: false);

        var parsed = await BodyReader.ReadAsync(content, isSuccess: true, OptionsDefaultsForTests.MaxImageBytes, CancellationToken.None);

        Assert.Equal(2, parsed.Images.Count);
        Assert.True(parsed.Images[0].Data.Span.SequenceEqual(first));
        Assert.True(parsed.Images[1].Data.Span.SequenceEqual(second));
    }

    [Fact]
    public async Task ReadAsync_EscapedSlashesInBase64_DecodesTheSameBytes()
    {
        var (plain, image) = BuildBody(256 * 1024, escapeSlashes: false);
        var (escaped, _) = BuildBody(256 * 1024, escapeSlashes: true);
        Assert.NotEqual(plain.Length, escaped.Length);

        using var escapedContent = new SynchronousContent(escaped);
        var parsed = await BodyReader.ReadAsync(escapedContent, isSuccess: true, OptionsDefaultsForTests.MaxImageBytes, CancellationToken.None);

        Assert.True(parsed.Images[0].Data.Span.SequenceEqual(image));
    }

    /// <summary>Random bytes behind a PNG signature (the reader only keeps bytes that look like an image).</summary>
    private static byte[] RandomImage(int size, int seed)
    {
        var image = new byte[size];
        new Random(seed).NextBytes(image);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        png.CopyTo(image, 0);
        return image;
    }

    /// <summary>An OpenRouter-shaped body around a PNG-headed image of <paramref name="size"/> bytes.</summary>
    private static (byte[] Body, byte[] Image) BuildBody(int size, bool escapeSlashes)
    {
        var image = new byte[size];
        new Random(42).NextBytes(image);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        png.CopyTo(image, 0);
        var base64 = Convert.ToBase64String(image);
        if (escapeSlashes)
        {
            base64 = base64.Replace("/", "\\/", StringComparison.Ordinal);
        }

        var json = """{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"","images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,"""
            + base64 + "\"}}]}}]}";
        return (Encoding.ASCII.GetBytes(json), image);
    }

    /// <summary>Content whose stream is a plain MemoryStream, so reads complete on this thread and the count is this thread's.</summary>
    private sealed class SynchronousContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly bool _declaresLength;

        /// <param name="body">The body.</param>
        /// <param name="declaresLength">False for a chunked body, whose length is unknown until its end.</param>
        public SynchronousContent(byte[] body, bool declaresLength = true)
        {
            _body = body;
            _declaresLength = declaresLength;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new MemoryStream(_body, writable: false));

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return _declaresLength;
        }
    }

    private static class OptionsDefaultsForTests
    {
        public const long MaxImageBytes = 64L * 1024 * 1024;
    }
}
