using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

public class OutcomeClassifierTests
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(1);

    private static async Task<Classification> ClassifyAsync(int status, string body, RetryHint? header = null, string mediaType = "application/json")
    {
        var parsed = await Bodies.ReadAsync(body, isSuccess: status is >= 200 and < 300, mediaType: mediaType);
        return OutcomeClassifier.Classify(status, parsed, header, MaxRetryAfter);
    }

    private static Task<Classification> ClassifyFixtureAsync(int status, string name, string mediaType = "application/json")
        => ClassifyAsync(status, WireFixtures.Text(name), mediaType: mediaType);

    private static string Error(int code, string message, string status, string details = "")
        => $$$"""{"error":{"code":{{{code}}},"message":"{{{message}}}","status":"{{{status}}}","details":[{{{details}}}]}}""";

    [Theory]
    [InlineData(200)]
    [InlineData(299)] // the last of the success range
    public async Task Classify_SuccessStatusWithImage_IsSuccess(int status)
    {
        var result = await ClassifyFixtureAsync(status, "openrouter-images-success.json");

        Assert.Equal(AttemptOutcome.Success, result.Outcome);
        Assert.Null(result.Hint);
        Assert.Equal("image received", result.Detail);
    }

    [Fact]
    public async Task Classify_Google503Fixture_IsOverloadedWithProviderStatus()
    {
        var result = await ClassifyFixtureAsync(503, "google-503.json");

        Assert.Equal(AttemptOutcome.Overloaded, result.Outcome);
        Assert.Equal("UNAVAILABLE", result.ProviderStatus);
        Assert.Contains("HTTP 503", result.Detail, StringComparison.Ordinal);
        Assert.Contains("overloaded", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_503WithEmptyBody_IsOverloaded()
    {
        Assert.Equal(AttemptOutcome.Overloaded, (await ClassifyAsync(503, string.Empty)).Outcome);
    }

    [Fact]
    public async Task Classify_OverloadInside200Body_IsOverloaded()
    {
        var result = await ClassifyAsync(200, Error(503, "This model is currently experiencing high demand.", "UNAVAILABLE"));

        Assert.Equal(AttemptOutcome.Overloaded, result.Outcome);
        Assert.Contains("HTTP 200 carrying error 503", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_200BodyWithStatusWordOnly_UsesTheWord()
    {
        var result = await ClassifyAsync(200, """{"error":{"message":"busy","status":"UNAVAILABLE"}}""");

        Assert.Equal(AttemptOutcome.Overloaded, result.Outcome);
    }

    [Fact]
    public async Task Classify_OverloadInsideGatewayWrappedMessage_IsOverloaded()
    {
        const string body = """{"error":{"code":502,"message":"Provider returned error","metadata":{"raw":"{\"error\":{\"code\":503,\"message\":\"high demand\",\"status\":\"UNAVAILABLE\"}}"}}}""";

        Assert.Equal(AttemptOutcome.Overloaded, (await ClassifyAsync(502, body)).Outcome);
    }

    [Fact]
    public async Task Classify_500OverloadedText_IsOverloaded()
    {
        var result = await ClassifyAsync(500, Error(500, "The server is overloaded, try later", "INTERNAL"));

        Assert.Equal(AttemptOutcome.Overloaded, result.Outcome);
    }

    [Fact]
    public async Task Classify_Google500Fixture_IsServerError()
    {
        var result = await ClassifyFixtureAsync(500, "google-500-internal.json");

        Assert.Equal(AttemptOutcome.ServerError, result.Outcome);
        Assert.Equal("INTERNAL", result.ProviderStatus);
    }

    [Theory]
    [InlineData(502)]
    [InlineData(504)]
    [InlineData(524)]
    public async Task Classify_HtmlGatewayPage_IsServerError(int status)
    {
        var result = await ClassifyFixtureAsync(status, "gateway-nginx-502.html", "text/html");

        Assert.Equal(AttemptOutcome.ServerError, result.Outcome);
        Assert.Contains("HTML error page", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_429PerMinuteWithRetryInfo_IsRateLimitedWithTheHint()
    {
        var result = await ClassifyFixtureAsync(429, "google-429-quota-retryinfo.json");

        Assert.Equal(AttemptOutcome.RateLimited, result.Outcome);
        Assert.Equal(QuotaKind.PerMinute, result.Quota);
        Assert.Equal(new RetryHint(TimeSpan.FromSeconds(15), WaitReason.RetryInfo), result.Hint);
        Assert.Equal("RESOURCE_EXHAUSTED", result.ProviderStatus);
    }

    [Fact]
    public async Task Classify_429WithoutDetails_IsRateLimitedOfUnknownQuota()
    {
        var result = await ClassifyFixtureAsync(429, "google-429-resource-exhausted.json");

        Assert.Equal(AttemptOutcome.RateLimited, result.Outcome);
        Assert.Equal(QuotaKind.Unknown, result.Quota);
        Assert.Null(result.Hint);
    }

    [Fact]
    public async Task Classify_OpenRouter429Fixture_IsRateLimitedWithTheHeaderHint()
    {
        var header = new RetryHint(TimeSpan.FromSeconds(60), WaitReason.RetryAfterHeader);
        var result = await ClassifyAsync(429, WireFixtures.Text("openrouter-error-429-provider.json"), header);

        Assert.Equal(AttemptOutcome.RateLimited, result.Outcome);
        Assert.Equal(header, result.Hint);
    }

    [Fact]
    public async Task Classify_429PerDayQuotaId_IsQuotaExhaustedPerDay()
    {
        const string details = """{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}""";

        var result = await ClassifyAsync(429, Error(429, "Quota exceeded", "RESOURCE_EXHAUSTED", details));

        Assert.Equal(AttemptOutcome.QuotaExhausted, result.Outcome);
        Assert.Equal(QuotaKind.PerDay, result.Quota);
    }

    [Fact]
    public async Task Classify_429HintLongerThanMaxRetryAfter_IsQuotaExhausted()
    {
        var header = new RetryHint(TimeSpan.FromMinutes(10), WaitReason.RetryAfterHeader);

        var result = await ClassifyAsync(429, Error(429, "slow down", "RESOURCE_EXHAUSTED"), header);

        Assert.Equal(AttemptOutcome.QuotaExhausted, result.Outcome);
        Assert.Equal(QuotaKind.Unknown, result.Quota);
        Assert.Equal(TimeSpan.FromMinutes(10), result.Hint!.Value.Delay);
    }

    [Fact]
    public async Task Classify_HeaderAndBodyHints_KeepsTheLonger()
    {
        var header = new RetryHint(TimeSpan.FromSeconds(3), WaitReason.RetryAfterHeader);

        var result = await ClassifyFixtureAsyncWithHeader(header);

        Assert.Equal(new RetryHint(TimeSpan.FromSeconds(15), WaitReason.RetryInfo), result.Hint);

        static Task<Classification> ClassifyFixtureAsyncWithHeader(RetryHint header)
            => ClassifyAsync(429, WireFixtures.Text("google-429-quota-retryinfo.json"), header);
    }

    [Fact]
    public async Task Classify_400ApiKeyInvalidFixture_IsUnauthorized()
    {
        var result = await ClassifyFixtureAsync(400, "google-400-api-key-invalid.json");

        Assert.Equal(AttemptOutcome.Unauthorized, result.Outcome);
        Assert.Equal("INVALID_ARGUMENT", result.ProviderStatus);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Classify_401Or403_IsUnauthorized(int status)
    {
        Assert.Equal(AttemptOutcome.Unauthorized, (await ClassifyFixtureAsync(status, "openai-style-error-401.json")).Outcome);
    }

    [Fact]
    public async Task Classify_OpenAiStyle401Fixture_CarriesTheCodeText()
    {
        var result = await ClassifyFixtureAsync(401, "openai-style-error-401.json");

        Assert.Equal("invalid_api_key", result.ProviderStatus);
        Assert.Contains("Incorrect API key provided", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_402_IsPaymentRequired()
    {
        var result = await ClassifyAsync(402, """{"error":{"code":402,"message":"Insufficient credits"}}""");

        Assert.Equal(AttemptOutcome.PaymentRequired, result.Outcome);
    }

    [Fact]
    public async Task Classify_400ImageSafety_IsContentBlocked()
    {
        var result = await ClassifyAsync(400, Error(400, "The request was blocked: IMAGE_SAFETY", "INVALID_ARGUMENT"));

        Assert.Equal(AttemptOutcome.ContentBlocked, result.Outcome);
    }

    [Fact]
    public async Task Classify_GeminiNativeImageSafetyFixture_IsContentBlockedWithTheModelsWords()
    {
        var result = await ClassifyFixtureAsync(200, "google-native-image-safety.json");

        Assert.Equal(AttemptOutcome.ContentBlocked, result.Outcome);
        Assert.Equal("IMAGE_SAFETY", result.ProviderStatus);
        Assert.Contains("I can't create that image", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("content_filter", null)]
    [InlineData("stop", "IMAGE_SAFETY")]
    [InlineData("stop", "PROHIBITED_CONTENT")]
    [InlineData("SAFETY", null)]
    [InlineData("stop", "IMAGE_PROHIBITED_CONTENT")]
    [InlineData("stop", "BLOCKLIST")]
    [InlineData("stop", "SPII")]
    [InlineData("stop", "RECITATION")]
    [InlineData("stop", "IMAGE_RECITATION")]
    [InlineData("stop", "image_safety")] // compared without regard to case
    public async Task Classify_200SafetyFinishReason_IsContentBlocked(string finish, string? native)
    {
        var nativeJson = native is null ? string.Empty : $",\"native_finish_reason\":\"{native}\"";
        var body = $$$"""{"choices":[{"finish_reason":"{{{finish}}}"{{{nativeJson}}},"message":{"content":"no"}}]}""";

        var result = await ClassifyAsync(200, body);

        Assert.Equal(AttemptOutcome.ContentBlocked, result.Outcome);
        Assert.Equal(native ?? finish, result.ProviderStatus);
    }

    [Fact]
    public async Task Classify_PromptFeedbackBlockReason_IsContentBlocked()
    {
        var result = await ClassifyAsync(200, """{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"candidates":[]}""");

        Assert.Equal(AttemptOutcome.ContentBlocked, result.Outcome);
        Assert.Equal("PROHIBITED_CONTENT", result.ProviderStatus);
        Assert.Equal("The prompt was blocked (PROHIBITED_CONTENT).", result.Detail);
    }

    [Fact]
    public async Task Classify_404_IsModelNotFound()
    {
        var result = await ClassifyAsync(404, Error(404, "models/gemini-9 is not found", "NOT_FOUND"));

        Assert.Equal(AttemptOutcome.ModelNotFound, result.Outcome);
    }

    [Fact]
    public async Task Classify_400Other_IsBadRequest()
    {
        var result = await ClassifyAsync(400, Error(400, "Invalid value at 'image_config.aspect_ratio'", "INVALID_ARGUMENT"));

        Assert.Equal(AttemptOutcome.BadRequest, result.Outcome);
        Assert.Contains("aspect_ratio", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(399)]
    public async Task Classify_Redirect_IsBadRequestNamingTheBaseAddress(int status)
    {
        var result = await ClassifyAsync(status, string.Empty);

        Assert.Equal(AttemptOutcome.BadRequest, result.Outcome);
        Assert.Contains("NanoBanana:BaseAddress", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_EdgesOfTheSuccessRange_299ReadsTheCarriedCode_300IsARedirectWhateverItCarries()
    {
        var body = Error(503, "high demand", "UNAVAILABLE");

        var lastSuccess = await ClassifyAsync(299, body);
        var firstRedirect = await ClassifyAsync(300, body);

        Assert.Equal(AttemptOutcome.Overloaded, lastSuccess.Outcome);
        Assert.Equal("HTTP 299 carrying error 503: high demand", lastSuccess.Detail);
        Assert.Equal(AttemptOutcome.BadRequest, firstRedirect.Outcome);
        Assert.Contains("HTTP 300: redirects are not followed", firstRedirect.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", AttemptOutcome.Unauthorized)]
    [InlineData(404, "NOT_FOUND", AttemptOutcome.ModelNotFound)]
    [InlineData(429, "RESOURCE_EXHAUSTED", AttemptOutcome.RateLimited)]
    [InlineData(500, "INTERNAL", AttemptOutcome.ServerError)]
    public async Task Classify_AuthWordInTheText_MakesOnlyA400Unauthorized(int status, string word, AttemptOutcome expected)
    {
        // Google answers a bad key with 400 INVALID_ARGUMENT, so a 400's text is read for it; any other status says
        // what happened itself, whatever its message quotes (an ErrorInfo reason would count at any status).
        var result = await ClassifyAsync(status, Error(status, "API key not valid. Please pass a valid API key.", word));

        Assert.Equal(expected, result.Outcome);
    }

    [Theory]
    [InlineData(503, "")]
    [InlineData(500, "{}")]
    [InlineData(502, "upstream connect error or disconnect/reset before headers")]
    public async Task Classify_ErrorWithoutAMessage_IsDescribedByItsStatusAlone(int status, string body)
    {
        var result = await ClassifyAsync(status, body, mediaType: body.StartsWith('{') ? "application/json" : "text/plain");

        Assert.Equal($"HTTP {status}", result.Detail);
    }

    [Fact]
    public async Task Classify_408_IsTimeout()
    {
        Assert.Equal(AttemptOutcome.Timeout, (await ClassifyAsync(408, string.Empty)).Outcome);
    }

    [Theory]
    [InlineData("openrouter-no-image-stop.json")]
    [InlineData("google-native-no-image.json")]
    public async Task Classify_200TextOnlyFixture_IsNoImage(string fixture)
    {
        var result = await ClassifyFixtureAsync(200, fixture);

        Assert.Equal(AttemptOutcome.NoImage, result.Outcome);
        Assert.Contains("The model said", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_PortkeyWrappedPromptBlock_IsContentBlockedNotAServerError()
    {
        // Portkey 1.15.2's answer when Google returns only promptFeedback (HTTP 200, code null).
        const string Body = """{"error":{"message":"Invalid response received from google: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},\"usageMetadata\":{\"promptTokenCount\":3,\"totalTokenCount\":3},\"modelVersion\":\"gemini-3-pro-image-preview\"}","type":null,"param":null,"code":null},"provider":"google"}""";

        var result = await ClassifyAsync(200, Body);

        Assert.Equal(AttemptOutcome.ContentBlocked, result.Outcome);
    }

    [Fact]
    public async Task Classify_PortkeyStrictAnswerWithoutImage_NamesTheHeaderToSet()
    {
        // What Portkey sends with strict OpenAI compliance on when Gemini answered text and an image: the text only.
        var result = await ClassifyAsync(200, """{"id":"portkey-5b0c","object":"chat.completion","provider":"google","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Here is your image."}}]}""");

        Assert.Equal(AttemptOutcome.NoImage, result.Outcome);
        Assert.Contains("strict OpenAI compliance on (its default), which drops every image part", result.Detail, StringComparison.Ordinal);
        Assert.Contains("x-portkey-strict-open-ai-compliance: false", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"portkey-5b0c","choices":[{"message":{"content":"No.","content_blocks":[{"type":"text","text":"No."}]}}]}""")]
    [InlineData("""{"id":"chatcmpl-5b0c","choices":[{"message":{"content":"No."}}]}""")]
    public async Task Classify_NoImageWithoutStrictPortkeySigns_NamesNoGatewayCause(string body)
    {
        var result = await ClassifyAsync(200, body);

        Assert.Equal(AttemptOutcome.NoImage, result.Outcome);
        Assert.DoesNotContain("portkey", result.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Classify_200EmptyChoices_IsNoImage()
    {
        var result = await ClassifyAsync(200, """{"choices":[]}""");

        Assert.Equal(AttemptOutcome.NoImage, result.Outcome);
        Assert.Equal("NO_IMAGE", result.ProviderStatus);
        Assert.Equal("HTTP 200 without an image (finish reason none).", result.Detail);
    }

    [Fact]
    public async Task Classify_200Html_IsProtocolError()
    {
        var result = await ClassifyFixtureAsync(200, "gateway-nginx-502.html", "text/html");

        Assert.Equal(AttemptOutcome.ProtocolError, result.Outcome);
        Assert.Contains("HTML page", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_200TruncatedJson_IsProtocolError()
    {
        var result = await ClassifyAsync(200, """{"choices":[{"message":""");

        Assert.Equal(AttemptOutcome.ProtocolError, result.Outcome);
        Assert.Contains("not valid JSON", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_200InvalidBase64_IsProtocolError()
    {
        var result = await ClassifyAsync(200, """{"choices":[{"message":{"images":[{"image_url":{"url":"data:image/png;base64,iVBORw0KG"}}]}}]}""");

        Assert.Equal(AttemptOutcome.ProtocolError, result.Outcome);
        Assert.Contains("base64 is invalid", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UNAVAILABLE", 503, AttemptOutcome.Overloaded)]
    [InlineData("RESOURCE_EXHAUSTED", 429, AttemptOutcome.RateLimited)]
    [InlineData("INVALID_ARGUMENT", 400, AttemptOutcome.BadRequest)]
    [InlineData("FAILED_PRECONDITION", 400, AttemptOutcome.BadRequest)]
    [InlineData("UNAUTHENTICATED", 401, AttemptOutcome.Unauthorized)]
    [InlineData("PERMISSION_DENIED", 403, AttemptOutcome.Unauthorized)]
    [InlineData("NOT_FOUND", 404, AttemptOutcome.ModelNotFound)]
    [InlineData("DEADLINE_EXCEEDED", 504, AttemptOutcome.ServerError)]
    [InlineData("INTERNAL", 500, AttemptOutcome.ServerError)]
    [InlineData("ABORTED", 500, AttemptOutcome.ServerError)] // a word without a mapping is judged as a server error
    public async Task Classify_200BodyWithStatusWordOnly_IsJudgedByTheCodeTheWordNames(string word, int code, AttemptOutcome expected)
    {
        var result = await ClassifyAsync(200, $$$"""{"error":{"message":"request failed","status":"{{{word}}}"}}""");

        Assert.Equal(expected, result.Outcome);
        Assert.Equal($"HTTP 200 carrying error {code}: request failed", result.Detail);
        Assert.Equal(word, result.ProviderStatus);
    }

    [Fact]
    public async Task Classify_200BodyWithCodeAndNoWord_IsJudgedByTheCode()
    {
        var result = await ClassifyAsync(200, """{"error":{"code":402,"message":"Insufficient credits"}}""");

        Assert.Equal(AttemptOutcome.PaymentRequired, result.Outcome);
        Assert.Equal("HTTP 200 carrying error 402: Insufficient credits", result.Detail);
    }

    [Theory]
    [InlineData(503, "", "UNAVAILABLE")]
    [InlineData(503, """{"error":{"message":"Overloaded","type":"overloaded_error"}}""", "overloaded_error")]
    [InlineData(429, "", "RESOURCE_EXHAUSTED")]
    [InlineData(429, """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", "rate_limit_exceeded")]
    [InlineData(400, """{"error":{"message":"Rejected by the content_policy_violation filter"}}""", "SAFETY")]
    [InlineData(400, """{"error":{"code":400,"message":"The request was blocked: IMAGE_SAFETY","status":"INVALID_ARGUMENT"}}""", "INVALID_ARGUMENT")]
    [InlineData(503, """{"error":{"message":"busy","type":"overloaded_error","status":"UNAVAILABLE"}}""", "UNAVAILABLE")]
    [InlineData(429, """{"error":{"message":"slow down","code":"rate_limit_exceeded","status":"RESOURCE_EXHAUSTED"}}""", "RESOURCE_EXHAUSTED")]
    [InlineData(429, """{"error":{"message":"RateLimitError: {\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}","type":"throttling_error","code":"rate_limit"}}""", "RESOURCE_EXHAUSTED")]
    public async Task Classify_ProviderStatus_IsTheBodysWordOrTheClassDefault(int status, string body, string expected)
    {
        // The provider's own status word comes first (also from Google's body inside a gateway's message), then a
        // gateway's code text, then its error type.
        var result = await ClassifyAsync(status, body);

        Assert.Equal(expected, result.ProviderStatus);
    }

    [Fact]
    public async Task Classify_429WithoutABody_IsRateLimitedOfUnknownQuota()
    {
        var result = await ClassifyAsync(429, string.Empty);

        Assert.Equal(AttemptOutcome.RateLimited, result.Outcome);
        Assert.Equal(QuotaKind.Unknown, result.Quota);
    }

    [Fact]
    public async Task Classify_429QuotaIdNamingNoPeriod_IsNotTakenForPerMinute()
    {
        const string details = """{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"ImageGenerationRequestsPerProjectPerModel"}]}""";

        var result = await ClassifyAsync(429, Error(429, "Quota exceeded", "RESOURCE_EXHAUSTED", details));

        Assert.Equal(AttemptOutcome.RateLimited, result.Outcome);
        Assert.Equal(QuotaKind.Unknown, result.Quota);
    }

    [Fact]
    public async Task Classify_200TextOnlyAnswer_KeepsTheFinishReasonAndQuotesTheModel()
    {
        var result = await ClassifyAsync(200, """{"id":"chatcmpl-5b0c","choices":[{"finish_reason":"stop","message":{"content":"No."}}]}""");

        Assert.Equal(AttemptOutcome.NoImage, result.Outcome);
        Assert.Equal("stop", result.ProviderStatus);
        Assert.Equal("HTTP 200 without an image (finish reason stop). The model said: \"No.\"", result.Detail);
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(201, true)]
    [InlineData(500, true)]
    public async Task Classify_LongMessage_IsCutAfter200Characters(int length, bool cut)
    {
        var message = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));

        var result = await ClassifyAsync(400, $$$"""{"error":{"message":"{{{message}}}"}}""");

        var expected = cut ? message[..200] + "…" : message;
        Assert.Equal($"HTTP 400: {expected}", result.Detail);
    }
}
