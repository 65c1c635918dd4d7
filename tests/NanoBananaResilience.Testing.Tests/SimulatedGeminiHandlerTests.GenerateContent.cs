using System.Net;
using System.Text;
using System.Text.Json;
using NanoBananaResilience.Testing.Tests.TestSupport;

namespace NanoBananaResilience.Testing.Tests;

/// <summary>The Google-native endpoint: <c>models/{model}:generateContent</c>, its key, its bodies and its streams.</summary>
public sealed partial class SimulatedGeminiHandlerTests
{
    private static readonly Uri NativeOrigin = new("https://generativelanguage.test/");

    [Fact]
    public async Task GenerateContent_HealthyModel_AnswersInlineDataWithUsageMetadata()
    {
        using var simulation = new Simulation();
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());

        using var response = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:generateContent", imageSize: "2K");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = json.RootElement;
        var (bytes, mediaType, thought) = Assert.Single(Wire.Images(root));
        Assert.True(Wire.IsJpeg(bytes));
        Assert.Equal("image/jpeg", mediaType);
        Assert.False(thought);
        Assert.Equal("STOP", root.GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.Equal(SimulatedModels.NanoBanana2, root.GetProperty("modelVersion").GetString());
        Assert.Equal(1120, root.GetProperty("usageMetadata").GetProperty("candidatesTokensDetails")[0].GetProperty("tokenCount").GetInt32());
        Assert.Equal(1, simulation.Handler.Statistics.GetCount(SimulatedModels.NanoBanana2, SimulatedOutcome.Success));
    }

    [Fact]
    public async Task GenerateContent_ChatShapeConfigured_StillAnswersGoogleNative()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { ResponseShape = SimulatedResponseShape.MarkdownDataUrl });
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());

        using var response = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:generateContent");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.False(json.RootElement.TryGetProperty("choices", out _));
        Assert.Single(Wire.Images(json.RootElement));
    }

    [Fact]
    public async Task GenerateContent_ThoughtShape_SendsThoughtTextAndImageBeforeTheFinalImage()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { ResponseShape = SimulatedResponseShape.GeminiNativeWithThought });
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());

        using var response = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:generateContent");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var parts = json.RootElement.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts");
        Assert.Equal(3, parts.GetArrayLength());
        Assert.True(parts[0].GetProperty("thought").GetBoolean());
        Assert.True(parts[0].TryGetProperty("text", out _));
        Assert.True(parts[1].GetProperty("thought").GetBoolean());
        Assert.False(parts[2].TryGetProperty("thought", out _));
        Assert.True(Wire.IsJpeg(Wire.Images(json.RootElement)[^1].Bytes));
    }

    [Fact]
    public async Task GenerateContent_Overloaded_AnswersGoogles503Envelope()
    {
        using var simulation = new Simulation();
        simulation.Clock.SetUtcNow(simulation.OverloadedInstant());

        using var response = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:generateContent");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("UNAVAILABLE", json.RootElement.GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task GenerateContent_RateLimited_CarriesRetryInfoAndTheSameDelayInTheMessage()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { RateLimitRate = 1 });
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());

        using var response = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:generateContent");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var error = json.RootElement.GetProperty("error");
        var delay = error.GetProperty("details").EnumerateArray()
            .Single(d => d.GetProperty("@type").GetString()!.EndsWith("RetryInfo", StringComparison.Ordinal))
            .GetProperty("retryDelay").GetString()!;
        Assert.EndsWith($"Please retry in {delay}.", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateContent_SafetyBlock_FinishesImageSafety()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { SafetyBlockRate = 1 });
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());

        using var response = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:generateContent");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("IMAGE_SAFETY", json.RootElement.GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.Empty(Wire.Images(json.RootElement));
    }

    [Theory]
    [InlineData("header")]
    [InlineData("query")]
    public async Task GenerateContent_RequiredKey_AcceptedFromGooglesHeaderOrTheQuery(string where)
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { RequiredApiKey = "AIza-sim" });
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());
        var path = "v1beta/models/gemini-3.1-flash-image-preview:generateContent" + (where == "query" ? "?key=AIza-sim" : string.Empty);

        using var accepted = await SendNativeAsync(simulation, path, googleKey: where == "header" ? "AIza-sim" : null);
        using var bearer = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:generateContent", bearer: "AIza-sim");
        var rejection = await bearer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bearer.StatusCode); // Google answers a bad key with 400 API_KEY_INVALID
        Assert.Contains("API_KEY_INVALID", rejection, StringComparison.Ordinal);
        Assert.DoesNotContain("AIza-sim", rejection, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamGenerateContent_AltSse_AnswersOneEventWithTheWholeAnswer()
    {
        using var simulation = new Simulation();
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());

        using var response = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:streamGenerateContent?alt=sse");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("data: {", text, StringComparison.Ordinal);
        Assert.EndsWith("}\r\n\r\n", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text["data: ".Length..].TrimEnd());
        Assert.Single(Wire.Images(json.RootElement));
    }

    [Fact]
    public async Task StreamGenerateContent_WithoutAlt_AnswersAJsonArray()
    {
        using var simulation = new Simulation();
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());

        using var response = await SendNativeAsync(simulation, "v1beta/models/gemini-3.1-flash-image-preview:streamGenerateContent");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        Assert.Single(Wire.Images(json.RootElement[0]));
    }

    [Theory]
    [InlineData("v1beta/models/gemini-3.1-flash-image-preview:generateContent", """{"contents":[]}""", HttpStatusCode.BadRequest)]
    [InlineData("v1beta/models/no-such-model:generateContent", """{"contents":[{"parts":[{"text":"a cat"}]}]}""", HttpStatusCode.NotFound)]
    [InlineData("v1beta/models/:generateContent", """{"contents":[{"parts":[{"text":"a cat"}]}]}""", HttpStatusCode.NotFound)]
    public async Task GenerateContent_BadRequestOrUnknownModel_AnswersGooglesError(string path, string body, HttpStatusCode expected)
    {
        using var simulation = new Simulation();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(NativeOrigin, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await simulation.Client.SendAsync(request, TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(expected, response.StatusCode);
        Assert.True(json.RootElement.GetProperty("error").TryGetProperty("message", out _));
    }

    [Fact]
    public async Task GenerateContent_OverRealHttp_TakesTheKeyFromTheQuery()
    {
        var options = new SimulatedGeminiOptions { LatencyScale = 0, RequiredApiKey = "AIza-loopback" };
        var profile = SimulatedModelProfile.CreateCustom(new double[24]);
        profile.BackgroundFailureRate = 0;
        options.Models[SimulatedModels.NanoBanana2] = profile;
        await using var server = new SimulatedGeminiServer(options);
        await server.StartAsync(TestContext.Current.CancellationToken);
        using var client = new HttpClient();

        using var response = await client.PostAsync(
            new Uri(server.BaseAddress, "/v1beta/models/gemini-3.1-flash-image-preview:generateContent?key=AIza-loopback"),
            NativeBody(),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, server.Handler.Statistics.GetCount(SimulatedModels.NanoBanana2, SimulatedOutcome.Success));
    }

    private static async Task<HttpResponseMessage> SendNativeAsync(Simulation simulation, string path, string? imageSize = null, string? googleKey = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(NativeOrigin, path)) { Content = NativeBody(imageSize) };
        if (googleKey is not null)
        {
            request.Headers.Add("x-goog-api-key", googleKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }

        return await simulation.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static StringContent NativeBody(string? imageSize = null)
    {
        var config = imageSize is null ? string.Empty : $$$""","generationConfig":{"responseModalities":["IMAGE"],"imageConfig":{"imageSize":"{{{imageSize}}}"}}""";
        return new($$$"""{"contents":[{"role":"user","parts":[{"text":"a cat in a spacesuit"}]}]{{{config}}}}""", Encoding.UTF8, "application/json");
    }
}
