using System.Net;
using NanoBananaResilience.Tests.TestSupport;
using RichardSzalay.MockHttp;

namespace NanoBananaResilience.Tests;

public class NanoBananaClientTests
{
    private const string Endpoint = "https://gateway.test/api/v1/chat/completions";

    private static (NanoBananaClient Client, MockHttpMessageHandler Mock) Create(Action<NanoBananaOptions>? configure = null)
    {
        var mock = new MockHttpMessageHandler();
        var options = Harness.ValidOptions(o =>
        {
            o.PeakHours.Enabled = false;
            configure?.Invoke(o);
        });
        return (NanoBananaClient.Create(mock.ToHttpClient(), options), mock);
    }

    public static TheoryData<string, string> SuccessFixtures => new()
    {
        { "openrouter-images-success.json", "image/png" },
        { "openrouter-images-success-with-text.json", "image/png" },
        { "proxy-markdown-datauri-success.json", "image/jpeg" },
        { "proxy-content-parts-array.json", "image/png" },
        { "google-native-success-3.1-flash-image.json", "image/jpeg" },
    };

    [Theory]
    [MemberData(nameof(SuccessFixtures))]
    public async Task GenerateAsync_FixtureAnswer_ReturnsItsImage(string fixture, string mediaType)
    {
        var (client, mock) = Create();
        mock.Expect(HttpMethod.Post, Endpoint)
            .WithHeaders("Authorization", "Bearer " + Harness.ApiKey)
            .WithPartialContent(NanoBananaModels.NanoBanana2)
            .Respond("application/json", WireFixtures.Text(fixture));

        var result = await client.GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal(mediaType, result.Image.MediaType);
        Assert.Equal((1, 1), (result.Image.Width, result.Image.Height));
        Assert.Equal(NanoBananaModels.NanoBanana2, result.Model);
        Assert.Equal(AttemptOutcome.Success, Assert.Single(result.Attempts).Outcome);
    }

    [Fact]
    public async Task GenerateAsync_StreamedAnswer_IsReadLikeAnyOther()
    {
        var (client, mock) = Create();
        mock.When(HttpMethod.Post, Endpoint).Respond("text/event-stream", WireFixtures.Text("openrouter-images-stream.sse"));

        var result = await client.GenerateAsync("a cat", TestContext.Current.CancellationToken);

        Assert.Equal(TestImages.TinyPng, result.Image.Data.ToArray());
        Assert.Equal("Here is your image.", result.Text);
        Assert.Equal(0.0387186m, result.EstimatedCostUsd);
    }

    [Fact]
    public async Task GenerateAsync_RequestWithSizeAndReference_SendsThemInTheBody()
    {
        var (client, mock) = Create();
        mock.Expect(HttpMethod.Post, Endpoint)
            .WithPartialContent("\"image_config\":{\"aspect_ratio\":\"16:9\",\"image_size\":\"2K\"}")
            .WithPartialContent("\"url\":\"data:image/jpeg;base64," + TestImages.TinyJpegBase64 + "\"")
            .Respond("application/json", Replies.ImageBody());
        var request = new NanoBananaRequest("make it night") { Size = ImageSize.TwoK, AspectRatio = new AspectRatio(16, 9) };
        request.ReferenceImages.Add(new ReferenceImage(TestImages.TinyJpeg));

        await client.GenerateAsync(request, TestContext.Current.CancellationToken);

        mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task GenerateAsync_Unauthorized_ThrowsWithoutTheKeyInTheException()
    {
        var (client, mock) = Create();
        var unauthorized = mock.When(HttpMethod.Post, Endpoint).Respond(HttpStatusCode.Unauthorized, "application/json", WireFixtures.Text("openai-style-error-401.json"));

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => client.GenerateAsync("a cat", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.Unauthorized, error.Outcome);
        Assert.Contains("NanoBanana:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, mock.GetMatchCount(unauthorized)); // no retry, no fallback
        Assert.DoesNotContain(Harness.ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task GenerateAsync_BlankPrompt_ThrowsBeforeSending(string prompt)
    {
        var (client, mock) = Create();
        var any = mock.When("*").Respond(HttpStatusCode.OK);

        await Assert.ThrowsAsync<ArgumentException>(() => client.GenerateAsync(prompt, TestContext.Current.CancellationToken));

        Assert.Equal(0, mock.GetMatchCount(any));
    }

    [Fact]
    public async Task GenerateAsync_NullRequest_Throws()
    {
        var (client, _) = Create();

        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GenerateAsync((NanoBananaRequest)null!, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GenerateAsync_WhiteSpaceModel_ThrowsBeforeSending()
    {
        var (client, mock) = Create();
        var any = mock.When("*").Respond(HttpStatusCode.OK);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.GenerateAsync(new NanoBananaRequest("x") { Model = " " }, TestContext.Current.CancellationToken));

        Assert.Contains("Model", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, mock.GetMatchCount(any));
    }

    [Fact]
    public async Task GenerateAsync_NullReferenceImage_ThrowsBeforeSending()
    {
        var (client, mock) = Create();
        var any = mock.When("*").Respond(HttpStatusCode.OK);
        var request = new NanoBananaRequest("x");
        request.ReferenceImages.Add(null!);

        await Assert.ThrowsAsync<ArgumentException>(() => client.GenerateAsync(request, TestContext.Current.CancellationToken));

        Assert.Equal(0, mock.GetMatchCount(any));
    }

    [Fact]
    public void Create_InvalidOptions_ThrowsNamingEachKey()
    {
        var options = new NanoBananaOptions();

        var error = Assert.Throws<ArgumentException>(() => NanoBananaClient.Create(new HttpClient(), options));

        Assert.Contains("NanoBanana:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("NanoBanana:BaseAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetModelStatuses_NewClient_ListsTheChainClosed()
    {
        var (client, _) = Create();

        var statuses = client.GetModelStatuses();

        Assert.Equal(
            new HashSet<string> { NanoBananaModels.NanoBanana2, NanoBananaModels.NanoBananaPro },
            statuses.Select(s => s.Model).ToHashSet());
        Assert.All(statuses, s => Assert.Equal(ModelBreakerState.Closed, s.BreakerState));
        Assert.All(statuses, s => Assert.Null(s.RestingUntil));
    }
}
