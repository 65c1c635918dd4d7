using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Download;

public sealed class ImageDownloadOptionsTests
{
    [Fact]
    public void Defaults_OffWithA64MiBCapAnd30Seconds()
    {
        var options = new NanoBananaOptions();

        Assert.False(options.ImageDownload.Enabled);
        Assert.Equal(64L * 1024 * 1024, options.ImageDownload.MaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ImageDownload.Timeout);
        Assert.Contains("ImageDownload = off", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_TinyCapAndNonPositiveTimeout_NameTheKeysAndValues()
    {
        var options = Harness.ValidOptions(o =>
        {
            o.ImageDownload.MaxBytes = 10;
            o.ImageDownload.Timeout = TimeSpan.Zero;
        });

        var errors = NanoBananaOptionsValidator.Collect(options);

        Assert.Contains("NanoBanana:ImageDownload:MaxBytes must be at least 1024; got 10.", errors);
        Assert.Contains(errors, e => e.StartsWith("NanoBanana:ImageDownload:Timeout must be greater than 00:00:00 and at most 24.20:31:23.6460000; got", StringComparison.Ordinal));
    }

    [Fact]
    public void Engine_DownloadOff_HasNoDownloader_On_HasOne()
    {
        using var off = new NanoBananaEngine(Harness.ValidOptions());
        using var on = new NanoBananaEngine(Harness.ValidOptions(o => o.ImageDownload.Enabled = true));

        Assert.Null(off.Downloader);
        Assert.NotNull(on.Downloader);
    }
}
