using System.Text;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Protocol;

public class ResponseScannerTests
{
    private static readonly byte[] MarkdownBody = Encoding.UTF8.GetBytes(
        $$$"""{"choices":[{"message":{"content":"Look ![a](data:image/jpeg;base64,{{{TestImages.TinyJpegBase64.Replace("/", "\\/", StringComparison.Ordinal)}}}) and ![b](data:image/png;base64,{{{TestImages.TinyPngBase64}}})"}}],"x":"a;b;base64"}""");

    [Fact]
    public void Feed_DataUrl_ReplacesTheImageWithAPlaceholderInTheSkeleton()
    {
        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: null);

        scanner.Feed(MarkdownBody);
        scanner.Complete();

        var skeleton = Encoding.UTF8.GetString(scanner.Skeleton.Span);
        Assert.Contains("![a](nb-image-ref:0)", skeleton, StringComparison.Ordinal);
        Assert.Contains("![b](nb-image-ref:1)", skeleton, StringComparison.Ordinal);
        Assert.DoesNotContain("base64,", skeleton, StringComparison.Ordinal);
        Assert.Contains("\"x\":\"a;b;base64\"", skeleton, StringComparison.Ordinal); // semicolons elsewhere are text
        Assert.Equal(2, scanner.Images.Count);
        Assert.Equal(TestImages.TinyJpeg, scanner.Images[0].Data.ToArray());
        Assert.Equal("image/jpeg", scanner.Images[0].DeclaredMediaType);
        Assert.Equal(TestImages.TinyPng, scanner.Images[1].Data.ToArray());
        Assert.False(scanner.EndedInsideString);
    }

    [Fact]
    public void Feed_OneByteAtATime_ProducesTheSameSkeletonAndImages()
    {
        using var whole = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: MarkdownBody.Length);
        whole.Feed(MarkdownBody);
        whole.Complete();

        using var bytewise = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: null);
        foreach (var b in MarkdownBody)
        {
            bytewise.Feed([b]);
        }

        bytewise.Complete();

        Assert.Equal(whole.Skeleton.ToArray(), bytewise.Skeleton.ToArray());
        Assert.Equal(whole.Images.Count, bytewise.Images.Count);
        for (var i = 0; i < whole.Images.Count; i++)
        {
            Assert.Equal(whole.Images[i].Data.ToArray(), bytewise.Images[i].Data.ToArray());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    [InlineData(1234)]
    public void Feed_RandomSplits_ProduceTheSameImagesAndText(int seed)
    {
        var expected = Bodies.Scan(MarkdownBody, [MarkdownBody.Length]);

        var actual = Bodies.Scan(MarkdownBody, Bodies.RandomPieces(seed, maxPiece: 9));

        BodyReaderTests.AssertSameContent(expected, actual);
        Assert.Equal(2, actual.Images.Count);
        Assert.Equal("Look  and", actual.Text);
    }

    [Fact]
    public void Feed_EverySplitPointOfAGeminiBody_GivesTheSameImage()
    {
        var body = WireFixtures.Bytes("google-native-success-3.1-flash-image.json");

        for (var split = 1; split < body.Length; split++)
        {
            var parsed = Bodies.Scan(body, [split, body.Length - split]);
            Assert.True(parsed.Images.Count == 1, $"split at {split}");
            Assert.Equal(TestImages.TinyJpeg, parsed.Images[0].Data.ToArray());
        }
    }

    [Fact]
    public void Feed_InlineDataKey_StartsAnImageAtTheStringItself()
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"inlineData": {"mimeType":"image/png", "data" :  "{{{TestImages.TinyPngBase64}}}"}}""");
        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: body.Length);

        scanner.Feed(body);
        scanner.Complete();

        Assert.Contains("\"nb-image-ref:0\"", Encoding.UTF8.GetString(scanner.Skeleton.Span), StringComparison.Ordinal);
        Assert.Null(scanner.Images[0].DeclaredMediaType); // the sibling mimeType is read by the interpreter
        Assert.Equal(TestImages.TinyPng, scanner.Images[0].Data.ToArray());
    }

    [Fact]
    public void Feed_NonImageDataUrl_IsLeftAsText()
    {
        var body = """{"content":"data:text/plain;base64,aGVsbG8="}"""u8.ToArray();
        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: null);

        scanner.Feed(body);
        scanner.Complete();

        Assert.Empty(scanner.Images);
        Assert.Equal(body, scanner.Skeleton.ToArray());
    }

    [Fact]
    public void Complete_BodyCutInsideBase64_MarksTheImageInvalidAndEndedInsideString()
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"url":"data:image/png;base64,{{{TestImages.TinyPngBase64[..40]}}}""");
        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: null);

        scanner.Feed(body);
        scanner.Complete();

        Assert.True(scanner.EndedInsideString);
        Assert.True(Assert.Single(scanner.Images).Invalid);
    }

    [Fact]
    public void Feed_SkeletonOverItsCap_ThrowsResponseTooLarge()
    {
        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: null, maxSkeletonBytes: 64);

        var error = Assert.Throws<ResponseTooLargeException>(() => scanner.Feed(Encoding.UTF8.GetBytes($$$"""{"text":"{{{new string('z', 100)}}}"}""")));

        Assert.Contains("64 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Feed_ImageDoesNotCountAgainstTheSkeletonCap()
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"u":"data:image/jpeg;base64,{{{TestImages.TinyJpegBase64}}}"}""");
        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: null, maxSkeletonBytes: 64);

        scanner.Feed(body);
        scanner.Complete();

        Assert.Equal(TestImages.TinyJpeg, Assert.Single(scanner.Images).Data.ToArray());
    }

    [Fact]
    public void Feed_ImagesOverTheirCapAcrossTwoImages_ThrowsResponseTooLarge()
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"a":"data:image/jpeg;base64,{{{TestImages.TinyJpegBase64}}}","b":"data:image/jpeg;base64,{{{TestImages.TinyJpegBase64}}}"}""");
        using var scanner = new ResponseScanner(maxImageBytes: 500, contentLength: null);

        Assert.Throws<ResponseTooLargeException>(() => scanner.Feed(body));
    }
}
