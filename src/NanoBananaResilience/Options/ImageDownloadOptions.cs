namespace NanoBananaResilience;

/// <summary>
/// Whether and how an image the endpoint returns as an <c>https://</c> address (instead of inline bytes) is
/// fetched. Off by default: the address comes from the server, so fetching it is fetching whatever the server
/// chooses. When on, only <c>https</c>, only public addresses (checked after DNS resolution, and the connection
/// goes to the very address checked), no redirects, no credentials or cookies, and at most <see cref="MaxBytes"/>.
/// </summary>
public sealed class ImageDownloadOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether image addresses in responses are downloaded into
    /// <see cref="GeneratedImage.Data"/>. When off, such an image keeps only its <see cref="GeneratedImage.Url"/>.
    /// The default value is <see langword="false"/>.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Gets or sets the largest image accepted from an address, in bytes; a larger one is abandoned while it streams.
    /// The default value is 64 MiB.
    /// </summary>
    [ConfigRange("1024", null)]
    public long MaxBytes { get; set; } = OptionsDefaults.MaxImageBytes;

    /// <summary>
    /// Gets or sets the time one download may take, connection and body included.
    /// The default value is 30 seconds.
    /// </summary>
    [ConfigRange("00:00:00", OptionBounds.LongestTimer, MinimumIsExclusive = true)]
    public TimeSpan Timeout { get; set; } = OptionsDefaults.ImageDownloadTimeout;
}
