using System.Buffers.Binary;

namespace NanoBananaResilience;

/// <summary>
/// Reads what an encoded image is from its magic numbers, and its size from its header. The declared media
/// type of a data URL is not trusted: gateways label JPEG answers as PNG.
/// </summary>
internal readonly record struct ImageInfo(string? MediaType, int? Width, int? Height)
{
    // Not a u8 literal: "\x89" there would be UTF-8 encoded as two bytes.
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static ImageInfo Read(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 8 && data[..8].SequenceEqual(PngSignature))
        {
            // IHDR is always the first chunk: width and height are big-endian at offsets 16 and 20.
            return data.Length >= 24
                ? new("image/png", BinaryPrimitives.ReadInt32BigEndian(data[16..]), BinaryPrimitives.ReadInt32BigEndian(data[20..]))
                : new("image/png", null, null);
        }

        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            var (width, height) = ReadJpegSize(data);
            return new("image/jpeg", width, height);
        }

        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            var (width, height) = ReadWebPSize(data);
            return new("image/webp", width, height);
        }

        if (data.Length >= 6 && (data[..6].SequenceEqual("GIF87a"u8) || data[..6].SequenceEqual("GIF89a"u8)))
        {
            return data.Length >= 10
                ? new("image/gif", BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]))
                : new("image/gif", null, null);
        }

        return default;
    }

    public static string ExtensionFor(string mediaType) => mediaType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        "image/gif" => ".gif",
        _ => ".bin",
    };

    /// <summary>Describes the first bytes of a buffer for an error message (hex, at most 8 bytes).</summary>
    public static string DescribeStart(ReadOnlySpan<byte> data)
        => data.IsEmpty ? "none" : Convert.ToHexString(data[..Math.Min(8, data.Length)]);

    private static (int? Width, int? Height) ReadJpegSize(ReadOnlySpan<byte> data)
    {
        var position = 2;
        while (position + 4 <= data.Length)
        {
            if (data[position] != 0xFF)
            {
                return (null, null);
            }

            var marker = data[position + 1];
            if (marker == 0xFF)
            {
                position++; // fill byte
                continue;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position += 2; // markers without a length
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
            var isStartOfFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isStartOfFrame && position + 9 <= data.Length)
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(data[(position + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(position + 5)..]));
            }

            if (marker == 0xDA || length < 2)
            {
                return (null, null); // start of scan: no frame header before it
            }

            position += 2 + length;
        }

        return (null, null);
    }

    private static (int? Width, int? Height) ReadWebPSize(ReadOnlySpan<byte> data)
    {
        if (data.Length < 30)
        {
            return (null, null);
        }

        var chunk = data[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            var width = 1 + (data[24] | (data[25] << 8) | (data[26] << 16));
            var height = 1 + (data[27] | (data[28] << 8) | (data[29] << 16));
            return (width, height);
        }

        if (chunk.SequenceEqual("VP8L"u8) && data[20] == 0x2F)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[21..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }

        if (chunk.SequenceEqual("VP8 "u8))
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF);
        }

        return (null, null);
    }
}
