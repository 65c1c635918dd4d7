namespace NanoBananaResilience;

/// <summary>
/// An input image for editing, sent after the prompt as an <c>image_url</c> data-URL part (an <c>inlineData</c> part
/// with <see cref="GatewayProtocol.GoogleNative"/>).
/// Its media type is read from its bytes; a buffer that is not a PNG, JPEG, WebP or GIF image is rejected.
/// </summary>
public sealed class ReferenceImage
{
    /// <summary>Creates a reference image from its encoded bytes.</summary>
    /// <param name="data">The encoded image (PNG, JPEG, WebP or GIF).</param>
    /// <exception cref="ArgumentException">The bytes are empty or not a known image format.</exception>
    public ReferenceImage(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new ArgumentException("A reference image needs at least one byte.", nameof(data));
        }

        var info = ImageInfo.Read(data.Span);
        if (info.MediaType is null)
        {
            throw new ArgumentException(
                $"The reference image is not a PNG, JPEG, WebP or GIF image (its first bytes are {ImageInfo.DescribeStart(data.Span)}).",
                nameof(data));
        }

        Data = data;
        MediaType = info.MediaType;
    }

    /// <summary>Gets the encoded image.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Gets the media type read from the bytes, for example <c>image/png</c>.</summary>
    public string MediaType { get; }

    /// <summary>Reads a reference image from a file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The image.</returns>
    public static async Task<ReferenceImage> FromFileAsync(string path, CancellationToken cancellationToken = default)
        => new(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override string ToString() => $"{MediaType}, {Data.Length} bytes";
}
