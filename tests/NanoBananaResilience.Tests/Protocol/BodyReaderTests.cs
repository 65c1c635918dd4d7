using System.Net.Http.Headers;
using System.Text;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Protocol;

public class BodyReaderTests
{
    private static string DataUrl(string base64 = TestImages.TinyPngBase64, string mediaType = "image/png") => $"data:{mediaType};base64,{base64}";

    // ---- Success shapes ----

    [Fact]
    public async Task ReadAsync_OpenRouterImagesFixture_ReturnsPngUsageCostAndNativeFinishReason()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("openrouter-images-success.json"));

        var image = Assert.Single(body.Images);
        Assert.Equal(TestImages.TinyPng, image.Data.ToArray());
        Assert.Equal("image/png", image.DeclaredMediaType);
        Assert.Null(image.Url);
        Assert.Null(body.Text); // content is "" when only an image comes back
        Assert.Equal("STOP", body.FinishReason); // the provider's word wins over the gateway's "stop"
        Assert.Equal("google/gemini-2.5-flash-image", body.Model);
        Assert.Null(body.Error);
        Assert.Null(body.InvalidImage);
        Assert.NotNull(body.Usage);
        Assert.Equal(12, body.Usage.PromptTokens);
        Assert.Equal(1290, body.Usage.CompletionTokens);
        Assert.Equal(1302, body.Usage.TotalTokens);
        Assert.Equal(1290, body.Usage.ImageTokens);
        Assert.Equal(0.0387036m, body.Usage.ReportedCostUsd);
    }

    [Fact]
    public async Task ReadAsync_OpenRouterImageWithText_ReturnsImageAndTrimmedText()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("openrouter-images-success-with-text.json"));

        Assert.Equal(TestImages.TinyPng, Assert.Single(body.Images).Data.ToArray());
        Assert.Equal("Here is a beautiful sunset for you!", body.Text);
        Assert.Equal(1299, body.Usage!.CompletionTokens);
        Assert.Equal(1290, body.Usage.ImageTokens);
        Assert.Equal(0.0387243m, body.Usage.ReportedCostUsd);
    }

    [Fact]
    public async Task ReadAsync_MarkdownDataUrlFixture_ReturnsJpegAndNoLeftoverText()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("proxy-markdown-datauri-success.json"));

        var image = Assert.Single(body.Images);
        Assert.Equal(TestImages.TinyJpeg, image.Data.ToArray());
        Assert.Equal("image/jpeg", image.DeclaredMediaType);
        Assert.Null(body.Text);
        Assert.Equal("nanobanana_pro", body.Model);
        Assert.Equal(1120, body.Usage!.CompletionTokens);
        Assert.Null(body.Usage.ReportedCostUsd);
    }

    [Fact]
    public async Task ReadAsync_MarkdownDataUrlWithProse_KeepsProseAsText()
    {
        var json = $$$"""{"choices":[{"message":{"content":"Here you go: ![image]({{{DataUrl()}}}) Enjoy!"}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.Equal(TestImages.TinyPng, Assert.Single(body.Images).Data.ToArray());
        Assert.Equal("Here you go:  Enjoy!", body.Text);
    }

    [Fact]
    public async Task ReadAsync_MarkdownHttpsUrlFixture_ReturnsUrlImageWithoutBytes()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("proxy-markdown-url-success.json"));

        var image = Assert.Single(body.Images);
        Assert.Equal(new Uri("https://example.com/img/generated.png"), image.Url);
        Assert.True(image.Data.IsEmpty);
        Assert.Null(body.Text);
    }

    [Fact]
    public async Task ReadAsync_ContentPartsArrayFixture_ReturnsImageAndTextPart()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("proxy-content-parts-array.json"));

        Assert.Equal(TestImages.TinyPng, Assert.Single(body.Images).Data.ToArray());
        Assert.Equal("...", body.Text);
    }

    [Fact]
    public async Task ReadAsync_ContentPartOfTypeImage_ReturnsImage()
    {
        var json = $$$"""{"choices":[{"message":{"content":[{"type":"image","image":{"url":"{{{DataUrl()}}}"}}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.Equal(TestImages.TinyPng, Assert.Single(body.Images).Data.ToArray());
    }

    [Fact]
    public async Task ReadAsync_ImageUrlAsBareString_ReturnsImage()
    {
        var json = $$$"""{"choices":[{"message":{"images":[{"type":"image_url","image_url":"{{{DataUrl()}}}"}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.Equal(TestImages.TinyPng, Assert.Single(body.Images).Data.ToArray());
    }

    [Fact]
    public async Task ReadAsync_GeminiNativeFixture_ReturnsJpegUsageMetadataAndModelVersion()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("google-native-success-3.1-flash-image.json"));

        var image = Assert.Single(body.Images);
        Assert.Equal(TestImages.TinyJpeg, image.Data.ToArray());
        Assert.Equal("image/jpeg", image.DeclaredMediaType);
        Assert.Equal("STOP", body.FinishReason);
        Assert.Equal("gemini-3.1-flash-image-preview", body.Model);
        Assert.Equal(10, body.Usage!.PromptTokens);
        Assert.Equal(1460, body.Usage.CompletionTokens);
        Assert.Equal(1470, body.Usage.TotalTokens);
        Assert.Equal(1120, body.Usage.ImageTokens);
        Assert.Null(body.Usage.ReportedCostUsd);
    }

    [Fact]
    public async Task ReadAsync_GeminiInlineDataSnakeCase_ReturnsImage()
    {
        var json = $$$"""{"candidates":[{"content":{"parts":[{"inline_data":{"mime_type":"image/png","data":"{{{TestImages.TinyPngBase64}}}"}}]},"finishReason":"STOP"}]}""";

        var body = await Bodies.ReadAsync(json);

        var image = Assert.Single(body.Images);
        Assert.Equal(TestImages.TinyPng, image.Data.ToArray());
        Assert.Equal("image/png", image.DeclaredMediaType);
    }

    [Fact]
    public async Task ReadAsync_ThoughtImageThenFinalImage_ReturnsOnlyTheFinalImage()
    {
        var json = $$$"""
            {"candidates":[{"content":{"parts":[
              {"text":"Sketching the composition first.","thought":true},
              {"inlineData":{"mimeType":"image/png","data":"{{{TestImages.TinyPngBase64}}}"},"thought":true},
              {"text":"Here is the final image."},
              {"inlineData":{"mimeType":"image/jpeg","data":"{{{TestImages.TinyJpegBase64}}}"}}
            ]},"finishReason":"STOP"}]}
            """;

        var body = await Bodies.ReadAsync(json);

        var image = Assert.Single(body.Images);
        Assert.Equal(TestImages.TinyJpeg, image.Data.ToArray());
        Assert.Equal("Here is the final image.", body.Text);
    }

    [Fact]
    public async Task ReadAsync_SseFixtureAsEventStream_ReadsImageTextUsageAndFinishReason()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("openrouter-images-stream.sse"), mediaType: "text/event-stream");

        Assert.True(body.IsJson);
        Assert.Equal(TestImages.TinyPng, Assert.Single(body.Images).Data.ToArray());
        Assert.Equal("Here is your image.", body.Text);
        Assert.Equal("STOP", body.FinishReason);
        Assert.Equal("google/gemini-2.5-flash-image", body.Model);
        Assert.Equal(1307, body.Usage!.TotalTokens);
        Assert.Equal(1290, body.Usage.ImageTokens);
        Assert.Equal(0.0387186m, body.Usage.ReportedCostUsd);
    }

    [Fact]
    public async Task ReadAsync_OpenAiImagesApiB64Json_ReturnsImage()
    {
        var json = $$$"""{"created":1,"data":[{"b64_json":"{{{TestImages.TinyPngBase64}}}"}]}""";

        var body = await Bodies.ReadAsync(json);

        // b64_json carries no media type; the bytes say what it is.
        Assert.Equal(TestImages.TinyPng, Assert.Single(body.Images).Data.ToArray());
    }

    // ---- Base64 spellings ----

    public static TheoryData<string, string> EscapedJpegSpellings => new()
    {
        { "plain", TestImages.TinyJpegBase64 },
        { "escaped slash", TestImages.TinyJpegBase64.Replace("/", "\\/", StringComparison.Ordinal) },
        { "unicode slash upper", TestImages.TinyJpegBase64.Replace("/", "\\u002F", StringComparison.Ordinal) },
        { "unicode slash lower", TestImages.TinyJpegBase64.Replace("/", "\\u002f", StringComparison.Ordinal) },
        { "unicode plus and padding", TestImages.TinyJpegBase64.Replace("+", "\\u002B", StringComparison.Ordinal).Replace("=", "\\u003D", StringComparison.Ordinal) },
        { "escaped line breaks", TestImages.TinyJpegBase64.Insert(76, "\\n").Insert(20, "\\r\\n") },
        { "unpadded", TestImages.TinyJpegBase64.TrimEnd('=') },
    };

    [Theory]
    [MemberData(nameof(EscapedJpegSpellings))]
    public async Task ReadAsync_JsonEscapedOrUnpaddedBase64_DecodesToTheSameBytes(string spelling, string base64)
    {
        var json = $$$"""{"choices":[{"message":{"images":[{"image_url":{"url":"data:image\/jpeg;base64,{{{base64}}}"}}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.True(body.Images.Count == 1, spelling);
        Assert.Equal(TestImages.TinyJpeg, body.Images[0].Data.ToArray());
        Assert.Equal("image/jpeg", body.Images[0].DeclaredMediaType);
    }

    [Fact]
    public async Task ReadAsync_UnicodeEscapedSlashInMediaType_StillFindsTheImage()
    {
        var json = $$$"""{"choices":[{"message":{"images":[{"image_url":{"url":"data:image\u002Fjpeg;base64,{{{TestImages.TinyJpegBase64}}}"}}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        var image = Assert.Single(body.Images);
        Assert.Equal(TestImages.TinyJpeg, image.Data.ToArray());
        Assert.Equal("image/jpeg", image.DeclaredMediaType);
    }

    // ---- Portkey's content_blocks and other part spellings ----

    [Fact]
    public async Task ReadAsync_PortkeyContentBlocksTextAndImage_ReturnsTheImageAndTheTextOnce()
    {
        // Portkey (strict OpenAI compliance off) copies the text into content and lists every part in content_blocks.
        var json = $$$"""
            {"id":"portkey-0c8e","object":"chat.completion","provider":"google","choices":[{"index":0,"finish_reason":"STOP",
              "message":{"role":"assistant","content":"Here is your image.","content_blocks":[
                {"type":"text","text":"Here is your image."},
                {"type":"image_url","image_url":{"url":"{{{DataUrl(TestImages.TinyJpegBase64, "image/jpeg")}}}"}}]}}]}
            """;

        var body = await Bodies.ReadAsync(json);

        Assert.Equal(TestImages.TinyJpeg, Assert.Single(body.Images).Data.ToArray());
        Assert.Equal("Here is your image.", body.Text);
    }

    [Fact]
    public async Task ReadAsync_PortkeyContentBlocksWithThoughtImages_ReturnsOnlyTheLastImage()
    {
        // Gemini 3 Pro: thought text, an interim image, more thought, a second interim image, then the answer.
        // Portkey keeps the thought text apart but drops the flag of the thought images.
        var json = $$$"""
            {"id":"portkey-7f1d","choices":[{"finish_reason":"STOP","message":{"role":"assistant","content":"Done.","content_blocks":[
              {"type":"thinking","thinking":"Planning the layout of the scene."},
              {"type":"image_url","image_url":{"url":"{{{DataUrl()}}}"}},
              {"type":"thinking","thinking":"The helmet reflection needs work."},
              {"type":"image_url","image_url":{"url":"{{{DataUrl()}}}"}},
              {"type":"image_url","image_url":{"url":"{{{DataUrl(TestImages.TinyJpegBase64, "image/jpeg")}}}"}},
              {"type":"text","text":"Done."}]}}]}
            """;

        var body = await Bodies.ReadAsync(json);

        Assert.Equal(TestImages.TinyJpeg, Assert.Single(body.Images).Data.ToArray());
        Assert.Equal("Done.", body.Text);
    }

    [Fact]
    public async Task ReadAsync_ContentBlocksWithoutImages_ReadsTheirTextNotTheThinking()
    {
        var json = """{"choices":[{"message":{"content":"A cat.","content_blocks":[{"type":"thinking","thinking":"Should I draw?"},{"type":"text","text":"A cat."}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.Empty(body.Images);
        Assert.Equal("A cat.", body.Text);
    }

    [Fact]
    public async Task ReadAsync_ContentPartFlaggedAsThought_IsSkipped()
    {
        var json = $$$"""
            {"choices":[{"message":{"content":[
              {"type":"image_url","image_url":{"url":"{{{DataUrl()}}}"},"thought":true},
              {"type":"image_url","image_url":{"url":"{{{DataUrl(TestImages.TinyJpegBase64, "image/jpeg")}}}"}}]}}]}
            """;

        var body = await Bodies.ReadAsync(json);

        Assert.Equal(TestImages.TinyJpeg, Assert.Single(body.Images).Data.ToArray());
    }

    [Theory]
    [InlineData("""{"type":"image","image":{"base64":"{0}"}}""")]
    [InlineData("""{"type":"image","image":{"data":"{0}"}}""")]
    [InlineData("""{"type":"image","base64":"{0}"}""")]
    [InlineData("""{"type":"image","data":"{0}"}""")]
    [InlineData("""{"type":"output_image","image_url":"data:image/png;base64,{0}"}""")]
    [InlineData("""{"type":"output_image","b64_json":"{0}"}""")]
    [InlineData("""{"type":"inline_data","inline_data":{"mime_type":"image/png","data":"{0}"}}""")]
    [InlineData("""{"inlineData":{"mimeType":"image/png","data":"{0}"}}""")]
    public async Task ReadAsync_ImagePartSpellings_ReturnTheImage(string part)
    {
        var json = $$$"""{"choices":[{"message":{"content":[{"type":"text","text":"Here."},{{{part.Replace("{0}", TestImages.TinyJpegBase64, StringComparison.Ordinal)}}}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        var image = Assert.Single(body.Images);
        Assert.Equal(TestImages.TinyJpeg, image.Data.ToArray());
        Assert.Equal("Here.", body.Text);
    }

    [Fact]
    public async Task ReadAsync_RawBase64UnderDataOutsideAnImage_IsNotTakenForOne()
    {
        var json = $$$$"""{"choices":[{"message":{"content":"No image today.","metadata":{"data":"{{{{TestImages.TinyPngBase64}}}}"}}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.Empty(body.Images);
        Assert.Equal("No image today.", body.Text);
    }

    [Fact]
    public async Task ReadAsync_TwoImages_ReturnsBothInOrder()
    {
        var json = $$$"""{"choices":[{"message":{"images":[{"image_url":{"url":"{{{DataUrl()}}}"}},{"image_url":{"url":"{{{DataUrl(TestImages.TinyJpegBase64, "image/jpeg")}}}"}}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.Equal(2, body.Images.Count);
        Assert.Equal(TestImages.TinyPng, body.Images[0].Data.ToArray());
        Assert.Equal(TestImages.TinyJpeg, body.Images[1].Data.ToArray());
    }

    // ---- Error envelopes ----

    [Fact]
    public async Task ReadAsync_GoogleEnvelope_ReadsCodeStatusAndMessage()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("google-503.json"), isSuccess: false);

        Assert.NotNull(body.Error);
        Assert.Equal(503, body.Error.Code);
        Assert.Equal("UNAVAILABLE", body.Error.Status);
        Assert.Equal("The model is overloaded. Please try again later.", body.Error.Message);
        Assert.Contains("overloaded", body.Error.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_GoogleEnvelopeWrappedInArray_ReadsTheError()
    {
        var json = "[" + WireFixtures.Text("google-503.json") + "]";

        var body = await Bodies.ReadAsync(json, isSuccess: false);

        Assert.Equal(503, body.Error!.Code);
        Assert.Equal("UNAVAILABLE", body.Error.Status);
    }

    [Fact]
    public async Task ReadAsync_GoogleApiKeyInvalid_ReadsErrorInfoReason()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("google-400-api-key-invalid.json"), isSuccess: false);

        Assert.Equal(400, body.Error!.Code);
        Assert.Equal("INVALID_ARGUMENT", body.Error.Status);
        Assert.Equal(["API_KEY_INVALID"], body.Error.Reasons);
    }

    [Fact]
    public async Task ReadAsync_OpenAiStyleWithStringCode_ReadsCodeTextAndType()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("openai-style-error-401.json"), isSuccess: false);

        Assert.Null(body.Error!.Code);
        Assert.Equal("invalid_api_key", body.Error.CodeText);
        Assert.Equal("invalid_request_error", body.Error.Type);
        Assert.StartsWith("Incorrect API key provided", body.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("401", 401, null)]
    [InlineData("\"402\"", 402, null)]
    [InlineData("\"rate_limit_exceeded\"", null, "rate_limit_exceeded")]
    [InlineData("null", null, null)]
    public async Task ReadAsync_OpenAiStyleCodeNumberStringOrNull_ReadsWhatIsThere(string code, int? expectedCode, string? expectedText)
    {
        var json = $$$"""{"error":{"message":"nope","type":"invalid_request_error","param":null,"code":{{{code}}}}}""";

        var body = await Bodies.ReadAsync(json, isSuccess: false);

        Assert.Equal(expectedCode, body.Error!.Code);
        Assert.Equal(expectedText, body.Error.CodeText);
        Assert.Equal("nope", body.Error.Message);
    }

    [Fact]
    public async Task ReadAsync_OpenRouterRawPlainString_ReadsProviderAndRawText()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("openrouter-error-429-provider.json"), isSuccess: false);

        Assert.Equal(429, body.Error!.Code);
        Assert.Equal("OpenInference", body.Error.ProviderName);
        Assert.Equal("Provider returned error", body.Error.Message);
        Assert.Contains("temporarily rate-limited upstream", body.Error.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_OpenRouterRawJsonStringWithGoogleEnvelope_ReadsTheEmbeddedError()
    {
        const string json = """
            {"error":{"code":502,"message":"Provider returned error","metadata":{"provider_name":"Google AI Studio",
              "raw":"{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"This model is currently experiencing high demand.\",\n    \"status\": \"UNAVAILABLE\",\n    \"details\": [{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"7s\"}]\n  }\n}"}}}
            """;

        var body = await Bodies.ReadAsync(json, isSuccess: false);

        Assert.Equal(502, body.Error!.Code);
        Assert.Equal("UNAVAILABLE", body.Error.Status);
        Assert.Equal("Google AI Studio", body.Error.ProviderName);
        Assert.Equal(TimeSpan.FromSeconds(7), body.Error.RetryDelay);
        Assert.Contains("high demand", body.Error.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ErrorInside200Body_IsReadAsAnError()
    {
        const string json = """{"error":{"code":503,"message":"This model is currently experiencing high demand.","status":"UNAVAILABLE"},"choices":[]}""";

        var body = await Bodies.ReadAsync(json, isSuccess: true);

        Assert.Equal(503, body.Error!.Code);
        Assert.Empty(body.Images);
    }

    [Fact]
    public async Task ReadAsync_ErrorInsideChoice_IsReadAsAnError()
    {
        const string json = """{"choices":[{"error":{"code":429,"message":"Rate limit exceeded"},"finish_reason":"error"}]}""";

        var body = await Bodies.ReadAsync(json, isSuccess: true);

        Assert.Equal(429, body.Error!.Code);
        Assert.Equal("error", body.FinishReason);
    }

    [Fact]
    public async Task ReadAsync_GoogleJsonEmbeddedInMessageText_ReadsTheEmbeddedFields()
    {
        const string json = """
            {"error":{"message":"litellm.ServiceUnavailableError: VertexAIException - {\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"The model is overloaded.\",\n    \"status\": \"UNAVAILABLE\",\n    \"details\": [{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"0.5s\"}]\n  }\n}\n","type":null,"param":null,"code":"503"}}
            """;

        var body = await Bodies.ReadAsync(json, isSuccess: false);

        Assert.Equal(503, body.Error!.Code);
        Assert.Equal("UNAVAILABLE", body.Error.Status);
        Assert.Equal(TimeSpan.FromMilliseconds(500), body.Error.RetryDelay);
        Assert.StartsWith("litellm.ServiceUnavailableError", body.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_QuotaRetryInfoFixture_ReadsQuotaIdAndDelay()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("google-429-quota-retryinfo.json"), isSuccess: false);

        Assert.Equal(TimeSpan.FromSeconds(15), body.Error!.RetryDelay);
        Assert.Equal(["GenerateRequestsPerMinutePerProjectPerModel-FreeTier"], body.Error.QuotaIds);
        Assert.Equal("RESOURCE_EXHAUSTED", body.Error.Status);
    }

    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("0.5s", 500)]
    [InlineData("53.016342224s", 53_016.342224)]
    public async Task ReadAsync_RetryInfoDelay_IsParsed(string delay, double milliseconds)
    {
        var json = $$$"""{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"{{{delay}}}"}]}}""";

        var body = await Bodies.ReadAsync(json, isSuccess: false);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), body.Error!.RetryDelay);
    }

    [Fact]
    public async Task ReadAsync_HugeRetryInfoDelay_IsClampedToTheLongestHint()
    {
        const string json = """{"error":{"code":429,"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1e9s"}]}}""";

        var body = await Bodies.ReadAsync(json, isSuccess: false);

        Assert.Equal(OptionsDefaults.LongestHint, body.Error!.RetryDelay);
    }

    [Fact]
    public async Task ReadAsync_RetryInMessageText_IsReadAsTheHint()
    {
        const string json = """{"error":{"code":429,"message":"You exceeded your current quota. Please retry in 53.01s.","status":"RESOURCE_EXHAUSTED"}}""";

        var body = await Bodies.ReadAsync(json, isSuccess: false);

        Assert.Equal(TimeSpan.FromSeconds(53.01), body.Error!.RetryDelay);
    }

    [Fact]
    public async Task ReadAsync_NginxHtmlPage_IsNotJsonButHtmlWithExcerpt()
    {
        var body = await Bodies.ReadAsync(WireFixtures.Bytes("gateway-nginx-502.html"), isSuccess: false, mediaType: "text/html");

        Assert.False(body.IsJson);
        Assert.True(body.IsHtml);
        Assert.Null(body.Error);
        Assert.Contains("502 Bad Gateway", body.Excerpt, StringComparison.Ordinal);
    }

    // ---- Bad bodies ----

    [Fact]
    public async Task ReadAsync_TruncatedJson_IsNotJsonAndNotHtml()
    {
        var body = await Bodies.ReadAsync("""{"choices":[{"message":{"content":"hel""");

        Assert.False(body.IsJson);
        Assert.False(body.IsHtml);
        Assert.Empty(body.Images);
    }

    [Fact]
    public async Task ReadAsync_BodyCutInsideBase64_IsNotJsonAndYieldsNoImage()
    {
        var json = $$$"""{"choices":[{"message":{"images":[{"image_url":{"url":"data:image/jpeg;base64,{{{TestImages.TinyJpegBase64[..200]}}}""";

        var body = await Bodies.ReadAsync(json);

        Assert.False(body.IsJson);
        Assert.Empty(body.Images);
    }

    [Theory]
    [InlineData("hello, world")]
    [InlineData("")]
    public async Task ReadAsync_NotJson_IsNotJson(string text)
    {
        var body = await Bodies.ReadAsync(text, mediaType: "text/plain");

        Assert.False(body.IsJson);
        Assert.False(body.IsHtml);
    }

    [Theory]
    [InlineData("""{"foo":[1,2,3],"bar":{"baz":null}}""")]
    [InlineData("42")]
    [InlineData("""["a",1,null]""")]
    [InlineData("""{"choices":"nope","candidates":{},"usage":[]}""")]
    public async Task ReadAsync_WrongShapeJson_IsJsonWithNothingFound(string json)
    {
        var body = await Bodies.ReadAsync(json);

        Assert.True(body.IsJson);
        Assert.Empty(body.Images);
        Assert.Null(body.Error);
        Assert.Null(body.InvalidImage);
        Assert.Null(body.Usage);
    }

    [Theory]
    [InlineData("iVBORw0KG")] // one character too many: not base64
    [InlineData("iVBO=RwKGgo")] // data after padding
    [InlineData("iVBORw0KGgo\\u00")] // a cut unicode escape
    public async Task ReadAsync_InvalidBase64_ReportsAnInvalidImage(string base64)
    {
        var json = $$$"""{"choices":[{"message":{"images":[{"image_url":{"url":"data:image/png;base64,{{{base64}}}"}}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.Empty(body.Images);
        Assert.NotNull(body.InvalidImage);
    }

    [Fact]
    public async Task ReadAsync_DataUrlWhoseBytesAreNotAnImage_ReportsTheFirstBytes()
    {
        var notAnImage = Convert.ToBase64String(Encoding.ASCII.GetBytes("hello, this is text"));
        var json = $$$"""{"choices":[{"message":{"images":[{"image_url":{"url":"data:image/png;base64,{{{notAnImage}}}"}}]}}]}""";

        var body = await Bodies.ReadAsync(json);

        Assert.Empty(body.Images);
        Assert.Contains("not PNG, JPEG, WebP or GIF", body.InvalidImage, StringComparison.Ordinal);
        Assert.Contains("68656C6C6F2C2074", body.InvalidImage, StringComparison.Ordinal); // "hello, t"
    }

    [Fact]
    public async Task ReadAsync_EmptyChoices_FindsNothing()
    {
        var body = await Bodies.ReadAsync("""{"id":"x","choices":[]}""");

        Assert.True(body.IsJson);
        Assert.Empty(body.Images);
        Assert.Null(body.Text);
        Assert.Null(body.FinishReason);
    }

    [Fact]
    public async Task ReadAsync_ImageOverTheCap_ThrowsResponseTooLarge()
    {
        var json = Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg");

        var error = await Assert.ThrowsAsync<ResponseTooLargeException>(() => Bodies.ReadAsync(json, maxImageBytes: 100));

        Assert.Contains("100 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ImageJustUnderTheCap_IsRead()
    {
        var body = await Bodies.ReadAsync(Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg"), maxImageBytes: TestImages.TinyJpeg.Length);

        Assert.Equal(TestImages.TinyJpeg, Assert.Single(body.Images).Data.ToArray());
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthBeyondTheCap_ThrowsBeforeReading()
    {
        var content = new StreamContent(new MemoryStream("{}"u8.ToArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = 10L * 1024 * 1024;

        var error = await Assert.ThrowsAsync<ResponseTooLargeException>(() => BodyReader.ReadAsync(content, isSuccess: true, maxImageBytes: 1024, CancellationToken.None).AsTask());

        Assert.Contains("declares", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SuccessSkeletonOverItsCap_ThrowsResponseTooLarge()
    {
        var text = new string('a', OptionsDefaults.MaxSkeletonBytes + 10);
        var json = $$$"""{"choices":[{"message":{"content":"{{{text}}}"}}]}""";

        await Assert.ThrowsAsync<ResponseTooLargeException>(() => Bodies.ReadAsync(json));
    }

    [Fact]
    public async Task ReadAsync_LongErrorBody_IsReadOnlyUpToTheErrorBound()
    {
        var json = $$$"""{"error":{"code":503,"message":"{{{new string('x', 200_000)}}}"}}""";

        var body = await Bodies.ReadAsync(json, isSuccess: false);

        Assert.False(body.IsJson); // cut at the bound, so no longer JSON; the status still classifies it
        Assert.Equal(OptionsDefaults.BodyExcerptChars + 1, body.Excerpt!.Length);
    }

    // ---- Chunk boundaries ----

    public static TheoryData<string, string> SuccessFixtures => new()
    {
        { "openrouter-images-success.json", "application/json" },
        { "openrouter-images-success-with-text.json", "application/json" },
        { "proxy-markdown-datauri-success.json", "application/json" },
        { "proxy-content-parts-array.json", "application/json" },
        { "google-native-success-3.1-flash-image.json", "application/json" },
        { "openrouter-images-stream.sse", "text/event-stream" },
    };

    [Theory]
    [MemberData(nameof(SuccessFixtures))]
    public async Task ReadAsync_FixtureReadOneByteAtATime_GivesTheSameResultAsOneRead(string name, string mediaType)
    {
        var bytes = WireFixtures.Bytes(name);
        var whole = await Bodies.ReadAsync(bytes, mediaType: mediaType);

        var trickled = await Bodies.ReadTrickledAsync(bytes, Bodies.OneByteAtATime(), mediaType);

        AssertSameContent(whole, trickled);
        Assert.NotEmpty(whole.Images);
    }

    [Theory]
    [MemberData(nameof(SuccessFixtures))]
    public async Task ReadAsync_FixtureReadInRandomPieces_GivesTheSameResultAsOneRead(string name, string mediaType)
    {
        var bytes = WireFixtures.Bytes(name);
        var whole = await Bodies.ReadAsync(bytes, mediaType: mediaType);

        for (var seed = 0; seed < 25; seed++)
        {
            var pieces = await Bodies.ReadTrickledAsync(bytes, Bodies.RandomPieces(seed), mediaType);
            AssertSameContent(whole, pieces);
        }
    }

    internal static void AssertSameContent(ParsedBody expected, ParsedBody actual)
    {
        Assert.Equal(expected.Images.Count, actual.Images.Count);
        for (var i = 0; i < expected.Images.Count; i++)
        {
            Assert.Equal(expected.Images[i].Data.ToArray(), actual.Images[i].Data.ToArray());
            Assert.Equal(expected.Images[i].DeclaredMediaType, actual.Images[i].DeclaredMediaType);
            Assert.Equal(expected.Images[i].Url, actual.Images[i].Url);
        }

        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.FinishReason, actual.FinishReason);
        Assert.Equal(expected.Model, actual.Model);
        Assert.Equal(expected.Usage?.TotalTokens, actual.Usage?.TotalTokens);
        Assert.Equal(expected.Usage?.ReportedCostUsd, actual.Usage?.ReportedCostUsd);
        Assert.Equal(expected.InvalidImage, actual.InvalidImage);
        Assert.Equal(expected.IsJson, actual.IsJson);
    }
}
