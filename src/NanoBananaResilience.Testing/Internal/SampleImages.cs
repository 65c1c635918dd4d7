using System.Buffers.Binary;
using System.IO.Compression;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// The images the simulation returns: a 64×64 PNG encoded here, and a JPEG.
/// </summary>
internal static class SampleImages
{
    public const int PngSide = 64;

    /// <summary>
    /// A valid 1×1 grayscale baseline JPEG (332 bytes), the same one the project's wire fixtures use in place of
    /// real image data. Encoding JPEG here would add a DCT and Huffman coder for no benefit to the tests.
    /// </summary>
    private const string JpegBase64 =
        "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/" +
        "wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEI" +
        "I0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ip" +
        "qrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APNa/9k=";

    public static readonly byte[] Jpeg = Convert.FromBase64String(JpegBase64);

    /// <summary>The final image: a warm diagonal gradient.</summary>
    public static readonly byte[] Png = EncodePng(PngSide, static (x, y) => ((byte)(255 - (2 * y)), (byte)(160 + x), (byte)(4 * x)));

    /// <summary>An interim "thought" image: a grey checkerboard, so a reader that picks it instead of the final image is caught.</summary>
    public static readonly byte[] ThoughtPng = EncodePng(PngSide, static (x, y) =>
    {
        var v = ((x / 8) + (y / 8)) % 2 == 0 ? (byte)90 : (byte)170;
        return (v, v, v);
    });

    public static string DataUrl(byte[] image, string mediaType) => $"data:{mediaType};base64,{Convert.ToBase64String(image)}";

    /// <summary>Encodes an 8-bit RGB, non-interlaced PNG: signature, IHDR, one IDAT (zlib), IEND, each with its CRC.</summary>
    private static byte[] EncodePng(int side, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var raw = new byte[side * ((side * 3) + 1)];
        var i = 0;
        for (var y = 0; y < side; y++)
        {
            raw[i++] = 0; // filter type None
            for (var x = 0; x < side; x++)
            {
                var (r, g, b) = pixel(x, y);
                raw[i++] = r;
                raw[i++] = g;
                raw[i++] = b;
            }
        }

        byte[] compressed;
        using (var buffer = new MemoryStream())
        {
            using (var zlib = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(raw);
            }

            compressed = buffer.ToArray();
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, side);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), side);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method
        header[12] = 0; // interlace: none

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, compressed);
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        stream.Write(type);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(type, data));
        stream.Write(word);
    }
}
