namespace NanoBananaResilience;

/// <summary>Inside the downloader only: why an image address was not fetched. The client turns it into a <see cref="NanoBananaException"/>.</summary>
internal sealed class ImageDownloadRefusedException : Exception
{
    public ImageDownloadRefusedException()
    {
    }

    public ImageDownloadRefusedException(string message)
        : base(message)
    {
    }

    public ImageDownloadRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
