using System.Text.Json;
using System.Text.Json.Nodes;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Protocol;

public class ChatRequestWriterTests
{
    private static JsonNode Write(string model, NanoBananaRequest request, ImageConfigPlacement placement = ImageConfigPlacement.ImageConfig)
    {
        using var buffer = ChatRequestWriter.Write(model, request, placement);
        return JsonNode.Parse(buffer.WrittenSpan)!;
    }

    private static JsonNode Fixture(string name) => JsonNode.Parse(WireFixtures.Text(name))!;

    [Fact]
    public void Write_EditWithReferenceImage_MatchesTheOpenRouterEditFixture()
    {
        var request = new NanoBananaRequest("Replace the background with a starry night sky; keep the subject unchanged.")
        {
            AspectRatio = new AspectRatio(1, 1),
            Size = ImageSize.HalfK,
        };
        request.ReferenceImages.Add(new ReferenceImage(TestImages.TinyPng));

        var written = Write("google/gemini-3.1-flash-image-preview", request);

        var expected = Fixture("openrouter-request-edit.json");
        Assert.True(JsonNode.DeepEquals(expected, written), written.ToJsonString());
    }

    [Fact]
    public void Write_Generate_MatchesTheOpenRouterGenerateFixtureWithStreamFalse()
    {
        var request = new NanoBananaRequest("Create a picture of a nano banana dish in a fancy restaurant with a Gemini theme")
        {
            AspectRatio = AspectRatio.Parse("16:9"),
            Size = ImageSize.Parse("4k"),
        };

        var written = Write("google/gemini-3-pro-image-preview", request);

        var expected = Fixture("openrouter-request-generate.json").AsObject();
        expected["stream"] = false; // we always ask for one JSON body
        Assert.True(JsonNode.DeepEquals(expected, written), written.ToJsonString());
        Assert.Equal("4K", written["image_config"]!["image_size"]!.GetValue<string>()); // upper-case K on the wire
    }

    [Fact]
    public void Write_ExtraBodyGooglePlacement_MatchesTheProxyFixturesExtraBody()
    {
        var request = new NanoBananaRequest("Draw a cat sitting on a rooftop under moonlight") { AspectRatio = new AspectRatio(16, 9), Size = ImageSize.TwoK };

        var written = Write("nanobanana_pro", request, ImageConfigPlacement.ExtraBodyGoogle);

        var expected = Fixture("proxy-request-extra-body-google-image-config.json");
        Assert.True(JsonNode.DeepEquals(expected["extra_body"], written["extra_body"]), written.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected["messages"], written["messages"]));
        Assert.Equal("nanobanana_pro", written["model"]!.GetValue<string>());
        Assert.False(written["stream"]!.GetValue<bool>());
        Assert.Null(written["image_config"]);
    }

    [Fact]
    public void Write_BothPlacement_WritesTopLevelAndExtraBody()
    {
        var request = new NanoBananaRequest("x") { Size = ImageSize.OneK };

        var written = Write("m", request, ImageConfigPlacement.Both);

        Assert.Equal("1K", written["image_config"]!["image_size"]!.GetValue<string>());
        Assert.Equal("1K", written["extra_body"]!["google"]!["image_config"]!["image_size"]!.GetValue<string>());
        Assert.Null(written["image_config"]!["aspect_ratio"]); // only what was asked for
    }

    [Fact]
    public void Write_NoSizeNoRatio_OmitsImageConfigButKeepsModalitiesAndStream()
    {
        var written = Write("gemini-3.1-flash-image-preview", new NanoBananaRequest("a cat"), ImageConfigPlacement.Both);

        Assert.Null(written["image_config"]);
        Assert.Null(written["extra_body"]);
        Assert.Equal(["image", "text"], written["modalities"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(written["stream"]!.GetValue<bool>());
        Assert.Equal("a cat", written["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("user", written["messages"]![0]!["role"]!.GetValue<string>());
    }

    [Fact]
    public void Write_SeveralReferenceImages_TextFirstThenImagesInOrderWithTheirOwnMediaTypes()
    {
        var request = new NanoBananaRequest("merge these");
        request.ReferenceImages.Add(new ReferenceImage(TestImages.TinyPng));
        request.ReferenceImages.Add(new ReferenceImage(TestImages.TinyJpeg));

        var parts = Write("m", request)["messages"]![0]!["content"]!.AsArray();

        Assert.Equal(3, parts.Count);
        Assert.Equal("text", parts[0]!["type"]!.GetValue<string>());
        Assert.Equal("merge these", parts[0]!["text"]!.GetValue<string>());
        Assert.Equal("image_url", parts[1]!["type"]!.GetValue<string>());
        Assert.Equal("data:image/png;base64," + TestImages.TinyPngBase64, parts[1]!["image_url"]!["url"]!.GetValue<string>());
        Assert.Equal("data:image/jpeg;base64," + TestImages.TinyJpegBase64, parts[2]!["image_url"]!["url"]!.GetValue<string>());
    }

    [Fact]
    public void Write_PromptWithQuotesAndNonAscii_RoundTripsAsUtf8()
    {
        const string prompt = "un \"chat\" dans l'espace — 宇宙の猫\n🐱";
        using var buffer = ChatRequestWriter.Write("m", new NanoBananaRequest(prompt), ImageConfigPlacement.ImageConfig);

        using var document = JsonDocument.Parse(buffer.WrittenMemory);

        Assert.Equal(prompt, document.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.True(buffer.WrittenSpan.IndexOf("宇宙の猫"u8) >= 0, "non-ASCII text goes out as UTF-8, not as \\u escapes");
    }
}
