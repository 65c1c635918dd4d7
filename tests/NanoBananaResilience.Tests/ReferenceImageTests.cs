using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests;

public class ReferenceImageTests
{
    [Fact]
    public void Constructor_Png_ReadsMediaTypeFromTheBytes()
    {
        var image = new ReferenceImage(TestImages.TinyPng);

        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(TestImages.TinyPng, image.Data.ToArray());
        Assert.Equal("image/png, 69 bytes", image.ToString());
    }

    [Fact]
    public void Constructor_Jpeg_IsJpeg()
    {
        Assert.Equal("image/jpeg", new ReferenceImage(TestImages.TinyJpeg).MediaType);
    }

    [Fact]
    public void Constructor_NotAnImage_ThrowsNamingTheFirstBytes()
    {
        var error = Assert.Throws<ArgumentException>(() => new ReferenceImage("%PDF-1.7 not an image"u8.ToArray()));

        Assert.Contains("not a PNG, JPEG, WebP or GIF", error.Message, StringComparison.Ordinal);
        Assert.Contains("255044462D312E37", error.Message, StringComparison.Ordinal); // "%PDF-1.7"
        Assert.Equal("data", error.ParamName);
    }

    [Fact]
    public void Constructor_Empty_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new ReferenceImage(ReadOnlyMemory<byte>.Empty));

        Assert.Contains("at least one byte", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromFileAsync_PngFile_ReadsIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nb-ref-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(path, TestImages.TinyPng, TestContext.Current.CancellationToken);
        try
        {
            var image = await ReferenceImage.FromFileAsync(path, TestContext.Current.CancellationToken);

            Assert.Equal("image/png", image.MediaType);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
