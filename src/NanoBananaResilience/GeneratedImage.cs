namespace NanoBananaResilience;

/// <summary>One generated image: its bytes and what they are, read from the bytes themselves.</summary>
public sealed class GeneratedImage
{
    // Internal so that a field can be added without breaking callers; tests build images with NanoBananaModelFactory.
    /// <param name="data">The encoded bytes (may be empty when only <paramref name="url"/> is known).</param>
    /// <param name="mediaType">The media type.</param>
    /// <param name="width">The width in pixels, when the header says.</param>
    /// <param name="height">The height in pixels, when the header says.</param>
    /// <param name="url">The address the endpoint gave instead of bytes, if any.</param>
    internal GeneratedImage(ReadOnlyMemory<byte> data, string mediaType, int? width, int? height, Uri? url = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        Data = data;
        MediaType = mediaType;
        Width = width;
        Height = height;
        Url = url;
    }

    /// <summary>Gets the encoded image. Empty when the endpoint answered with an address only (see <see cref="Url"/>).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>
    /// Gets the media type, read from the bytes' magic numbers rather than from what the endpoint declared
    /// (gateways often label JPEG as PNG).
    /// </summary>
    public string MediaType { get; }

    /// <summary>Gets the width in pixels, read from the PNG, JPEG or WebP header.</summary>
    public int? Width { get; }

    /// <summary>Gets the height in pixels, read from the PNG, JPEG or WebP header.</summary>
    public int? Height { get; }

    /// <summary>
    /// Gets the https address the endpoint returned instead of bytes (some gateways host the image). The
    /// library does not fetch it; download it promptly, such links expire.
    /// </summary>
    public Uri? Url { get; }

    /// <summary>Gets the usual file extension for <see cref="MediaType"/>, with its dot: <c>.png</c>, <c>.jpg</c>, <c>.webp</c>.</summary>
    public string FileExtension => ImageInfo.ExtensionFor(MediaType);

    /// <summary>Writes the image to a file, replacing it atomically (a temporary file, then a rename).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="InvalidOperationException">The image has no bytes, only a <see cref="Url"/>.</exception>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Data.IsEmpty)
        {
            throw new InvalidOperationException($"This image has no bytes: the endpoint returned the address {Url} instead. Download it from there.");
        }

        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(Data, cancellationToken).ConfigureAwait(false);

                // On the disk before the rename: otherwise a power cut may leave the new name on a file whose bytes
                // never arrived, and a batch's resume would count it as done.
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes the image to a stream.</summary>
    /// <param name="destination">The stream to write to.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    public async Task WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await destination.WriteAsync(Data, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString()
        => Url is not null && Data.IsEmpty
            ? $"{MediaType} at {Url}"
            : $"{MediaType}, {Data.Length} bytes{(Width is null ? string.Empty : $", {Width}×{Height}")}";
}
