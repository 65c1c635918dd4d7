using System.IO.Compression;
using System.Text;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Hostile;

/// <summary>What a hostile or broken endpoint sends, as scripts for <see cref="RawHttpServer"/>.</summary>
internal static class HostileAnswers
{
    public static readonly byte[] ImageBody = Encoding.UTF8.GetBytes(Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg"));

    public static Task Image(RawExchange exchange) => exchange.RespondAsync(200, ImageBody);

    /// <summary>The offset just inside the base64 of <see cref="ImageBody"/>.</summary>
    public static int InsideBase64 => Encoding.UTF8.GetString(ImageBody).IndexOf("base64,", StringComparison.Ordinal) + 20;

    /// <summary>
    /// A JSON answer whose one data URL holds <paramref name="inflatedBytes"/> of base64, gzip-compressed: a few
    /// hundred kilobytes on the wire that inflate far past any sane cap.
    /// </summary>
    public static byte[] GzipBomb(int inflatedBytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write("""{"choices":[{"message":{"images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,"""u8);
            var block = new byte[64 * 1024];
            block.AsSpan().Fill((byte)'A');
            for (var written = 0; written < inflatedBytes; written += block.Length)
            {
                gzip.Write(block);
            }

            gzip.Write("\"}}]}}]}"u8);
        }

        return compressed.ToArray();
    }
}
