using System.Text;
using System.Text.Json;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Protocol;

public class GenerateContentWriterTests
{
    private static string Write(NanoBananaRequest request)
    {
        using var buffer = GenerateContentWriter.Write(request);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Write_SizeAndRatio_IsGooglesBodyByteForByte()
    {
        var request = new NanoBananaRequest("a nano banana dish") { AspectRatio = AspectRatio.Parse("16:9"), Size = ImageSize.TwoK };

        Assert.Equal(
            """{"contents":[{"role":"user","parts":[{"text":"a nano banana dish"}]}],"generationConfig":{"responseModalities":["TEXT","IMAGE"],"imageConfig":{"aspectRatio":"16:9","imageSize":"2K"}}}""",
            Write(request));
    }

    [Fact]
    public void Write_ReferenceImages_InlineDataAfterTheTextInOrderWithBase64Unescaped()
    {
        var request = new NanoBananaRequest("merge these");
        request.ReferenceImages.Add(new ReferenceImage(TestImages.TinyPng));
        request.ReferenceImages.Add(new ReferenceImage(TestImages.TinyJpeg)); // its base64 holds '+' and '/'

        Assert.Equal(
            $$$"""{"contents":[{"role":"user","parts":[{"text":"merge these"},{"inlineData":{"mimeType":"image/png","data":"{{{TestImages.TinyPngBase64}}}"}},{"inlineData":{"mimeType":"image/jpeg","data":"{{{TestImages.TinyJpegBase64}}}"}}]}],"generationConfig":{"responseModalities":["TEXT","IMAGE"]}}""",
            Write(request));
    }

    [Fact]
    public void Write_NoSizeNoRatio_OmitsImageConfigButAsksForTextAndImage()
    {
        Assert.Equal(
            """{"contents":[{"role":"user","parts":[{"text":"a cat"}]}],"generationConfig":{"responseModalities":["TEXT","IMAGE"]}}""",
            Write(new NanoBananaRequest("a cat")));
    }

    [Theory]
    [InlineData("0.5K", "512")]
    [InlineData("1K", "1K")]
    [InlineData("4K", "4K")]
    public void Write_Size_UsesGooglesSpelling(string size, string expected)
    {
        using var document = JsonDocument.Parse(Write(new NanoBananaRequest("x") { Size = ImageSize.Parse(size) }));

        var imageConfig = document.RootElement.GetProperty("generationConfig").GetProperty("imageConfig");
        Assert.Equal(expected, imageConfig.GetProperty("imageSize").GetString());
        Assert.False(imageConfig.TryGetProperty("aspectRatio", out _)); // only what was asked for
    }

    [Fact]
    public void Write_PromptWithQuotesAndNonAscii_RoundTripsAsUtf8()
    {
        const string prompt = "un \"chat\" dans l'espace — 宇宙の猫\n🐱";
        var written = Write(new NanoBananaRequest(prompt));

        using var document = JsonDocument.Parse(written);

        Assert.Equal(prompt, document.RootElement.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Contains("宇宙の猫", written, StringComparison.Ordinal);
    }
}
