using System.Net;
using NanoBananaResilience.Tests.TestSupport;
using RichardSzalay.MockHttp;

namespace NanoBananaResilience.Tests.Transport;

public class GoogleNativeTransportTests
{
    private const string Google = "https://generativelanguage.googleapis.com/v1beta/";

    private static NanoBananaOptions Options(string baseAddress = Google) => Harness.ValidOptions(o =>
    {
        o.BaseAddress = new Uri(baseAddress);
        o.Protocol = GatewayProtocol.GoogleNative;
        o.PeakHours.Enabled = false;
    });

    [Theory]
    [InlineData(Google)]
    [InlineData("https://generativelanguage.googleapis.com/v1beta")]
    public void CreateRequest_PostsToTheModelsGenerateContentUnderTheBase(string baseAddress)
    {
        using var request = new GoogleNativeTransport(Options(baseAddress).GetEffectiveGateways()[0]).CreateRequest(NanoBananaModels.NanoBananaPro, new NanoBananaRequest("x"));

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(Google + "models/gemini-3-pro-image-preview:generateContent", request.RequestUri!.AbsoluteUri);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
    }

    [Fact]
    public void CreateRequest_KeyInXGoogApiKeyOnly_NeverInTheAddressOrAuthorization()
    {
        using var request = new GoogleNativeTransport(Options().GetEffectiveGateways()[0]).CreateRequest(NanoBananaModels.NanoBanana2, new NanoBananaRequest("x"));

        Assert.Equal(Harness.ApiKey, Assert.Single(request.Headers.GetValues("x-goog-api-key")));
        Assert.Null(request.Headers.Authorization);
        Assert.Empty(request.RequestUri!.Query);
        Assert.DoesNotContain(Harness.ApiKey, request.RequestUri.AbsoluteUri, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gemini-3-pro-image-preview", "gemini-3-pro-image-preview")]
    [InlineData("models/gemini-3-pro-image-preview", "gemini-3-pro-image-preview")]
    [InlineData("google/gemini-3.1-flash-image-preview", "gemini-3.1-flash-image-preview")]
    [InlineData("Google/gemini-3.1-flash-image-preview", "gemini-3.1-flash-image-preview")]
    [InlineData("models/google/x", "google/x")] // one prefix only: the rest is not a Google id
    [InlineData("openai/gpt-image-1", "openai/gpt-image-1")]
    public void BareModelId_DropsOneGoogleOrModelsPrefix(string configured, string bare)
        => Assert.Equal(bare, GoogleNativeTransport.BareModelId(configured));

    [Fact]
    public void CreateRequest_IdWithASlashOrQuery_StaysOneEscapedPathSegment()
    {
        using var request = new GoogleNativeTransport(Options().GetEffectiveGateways()[0]).CreateRequest("vendor/model?x=1", new NanoBananaRequest("x"));

        Assert.Equal("/v1beta/models/vendor%2Fmodel%3Fx%3D1:generateContent", request.RequestUri!.AbsolutePath);
        Assert.Empty(request.RequestUri.Query);
    }

    [Fact]
    public async Task GenerateAsync_GoogleNative_SendsGenerateContentAndReadsGooglesAnswer()
    {
        using var mock = new MockHttpMessageHandler();
        var exchange = mock.Expect(HttpMethod.Post, Google + "models/gemini-3.1-flash-image-preview:generateContent")
            .WithHeaders("x-goog-api-key", Harness.ApiKey)
            .With(m => m.Headers.Authorization is null)
            .WithContent("""{"contents":[{"role":"user","parts":[{"text":"a cat in a spacesuit"}]}],"generationConfig":{"responseModalities":["TEXT","IMAGE"],"imageConfig":{"imageSize":"1K"}}}""")
            .Respond("application/json", WireFixtures.Text("google-native-success-3.1-flash-image.json"));
        using var client = NanoBananaClient.Create(mock.ToHttpClient(), Options());

        var result = await client.GenerateAsync(new NanoBananaRequest("a cat in a spacesuit") { Size = ImageSize.OneK }, TestContext.Current.CancellationToken);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal(1, mock.GetMatchCount(exchange));
        Assert.Equal(("image/jpeg", NanoBananaModels.NanoBanana2), (result.Image.MediaType, result.Model));
    }

    [Fact]
    public async Task GenerateAsync_GoogleNativeWithPrefixedIds_AddressesTheBareIdAndReportsTheConfiguredOne()
    {
        using var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Post, Google + "models/gemini-3-pro-image-preview:generateContent")
            .Respond("application/json", WireFixtures.Text("google-native-success-3.1-flash-image.json"));
        var options = Options();
        options.Models.Add(new ModelOptions { Id = "models/gemini-3-pro-image-preview" });
        using var client = NanoBananaClient.Create(mock.ToHttpClient(), options);

        var result = await client.GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal("models/gemini-3-pro-image-preview", result.Model);
        Assert.Equal(0.134m, result.EstimatedCostUsd); // still priced as Pro
    }

    [Fact]
    public async Task GenerateAsync_GoogleNativeUnknownModel_IsModelNotFoundAndMovesOn()
    {
        using var mock = new MockHttpMessageHandler();
        var missing = mock.When(HttpMethod.Post, Google + "models/gemini-9-image:generateContent")
            .Respond(HttpStatusCode.NotFound, "application/json", """{"error":{"code":404,"message":"models/gemini-9-image is not found for API version v1beta","status":"NOT_FOUND"}}""");
        mock.When(HttpMethod.Post, Google + "models/gemini-3-pro-image-preview:generateContent")
            .Respond("application/json", WireFixtures.Text("google-native-success-3.1-flash-image.json"));
        var options = Options();
        options.Models.Add(new ModelOptions { Id = "gemini-9-image" });
        options.Models.Add(new ModelOptions { Id = NanoBananaModels.NanoBananaPro });
        using var client = NanoBananaClient.Create(mock.ToHttpClient(), options);

        var result = await client.GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        Assert.Equal(1, mock.GetMatchCount(missing));
        Assert.Equal([AttemptOutcome.ModelNotFound, AttemptOutcome.Success], result.Attempts.Select(a => a.Outcome));
    }
}
