using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Testing.Tests.TestSupport;

namespace NanoBananaResilience.Testing.Tests;

/// <summary>The wire: shapes, images, fault envelopes, authentication, latency on the clock, statistics.</summary>
public sealed partial class SimulatedGeminiHandlerTests
{
    private const string OverloadedBody =
        """{"error":{"code":503,"message":"This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.","status":"UNAVAILABLE"}}""";

    [Fact]
    public async Task SendAsync_RotatingShapes_EveryShapeServedWithDecodableImage()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { RotateResponseShapes = true });
        var healthy = simulation.HealthyInstant();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var shape in Enum.GetValues<SimulatedResponseShape>())
        {
            var (status, body) = await simulation.SendAtAsync(healthy);
            Assert.Equal(HttpStatusCode.OK, status);
            using var json = JsonDocument.Parse(body);
            var images = Wire.Images(json.RootElement);
            var final = Assert.Single(images, i => !i.Thought);

            Assert.True(Wire.IsJpeg(final.Bytes), $"{shape}: the final image is not a JPEG.");
            Assert.Equal("image/jpeg", final.MediaType);
            Assert.DoesNotContain("\\u002B", body, StringComparison.Ordinal);
            seen.Add(Fingerprint(json.RootElement));
        }

        // One distinct layout per shape.
        Assert.Equal(Enum.GetValues<SimulatedResponseShape>().Length, seen.Count);
    }

    [Theory]
    [InlineData(SimulatedResponseShape.OpenRouterImages)]
    [InlineData(SimulatedResponseShape.ImageUrlString)]
    [InlineData(SimulatedResponseShape.MarkdownDataUrl)]
    [InlineData(SimulatedResponseShape.ContentParts)]
    [InlineData(SimulatedResponseShape.GeminiNative)]
    [InlineData(SimulatedResponseShape.GeminiNativeSnakeCase)]
    [InlineData(SimulatedResponseShape.GeminiNativeWithThought)]
    [InlineData(SimulatedResponseShape.GeminiNativeWithText)]
    public async Task SendAsync_EachShape_ServesThatLayoutWithUsage(SimulatedResponseShape shape)
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { ResponseShape = shape });
        using var json = await simulation.SendJsonAtAsync(simulation.HealthyInstant());
        var root = json.RootElement;

        switch (shape)
        {
            case SimulatedResponseShape.OpenRouterImages:
                var usage = root.GetProperty("usage");
                Assert.Equal(SimulatedModels.NanoBanana2, root.GetProperty("model").GetString());
                Assert.Equal(1120, usage.GetProperty("completion_tokens_details").GetProperty("image_tokens").GetInt32());
                Assert.InRange(usage.GetProperty("cost").GetDouble(), 0.05, 0.1); // 1120 image tokens at $60/M
                Assert.Equal("image_url", root.GetProperty("choices")[0].GetProperty("message").GetProperty("images")[0].GetProperty("type").GetString());
                Assert.Equal(JsonValueKind.Object, root.GetProperty("choices")[0].GetProperty("message").GetProperty("images")[0].GetProperty("image_url").ValueKind);
                break;
            case SimulatedResponseShape.ImageUrlString:
                Assert.Equal(JsonValueKind.String, root.GetProperty("choices")[0].GetProperty("message").GetProperty("images")[0].GetProperty("image_url").ValueKind);
                break;
            case SimulatedResponseShape.MarkdownDataUrl:
                Assert.StartsWith("![image](data:image/jpeg;base64,/9j/", root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
                break;
            case SimulatedResponseShape.ContentParts:
                var parts = root.GetProperty("choices")[0].GetProperty("message").GetProperty("content");
                Assert.Equal(["text", "image_url"], parts.EnumerateArray().Select(p => p.GetProperty("type").GetString()));
                break;
            case SimulatedResponseShape.GeminiNative:
                Assert.Equal("STOP", root.GetProperty("candidates")[0].GetProperty("finishReason").GetString());
                Assert.Equal(1120, root.GetProperty("usageMetadata").GetProperty("candidatesTokensDetails")[0].GetProperty("tokenCount").GetInt32());
                Assert.Equal(SimulatedModels.NanoBanana2, root.GetProperty("modelVersion").GetString());
                break;
            case SimulatedResponseShape.GeminiNativeSnakeCase:
                Assert.True(root.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].TryGetProperty("inline_data", out var inline));
                Assert.Equal("image/jpeg", inline.GetProperty("mime_type").GetString());
                Assert.True(root.TryGetProperty("usage_metadata", out _));
                break;
            case SimulatedResponseShape.GeminiNativeWithThought:
                var images = Wire.Images(root);
                Assert.Equal(2, images.Count);
                Assert.True(images[0].Thought);
                Assert.True(Wire.IsPng(images[0].Bytes));
                Assert.False(images[1].Thought);
                Assert.True(Wire.IsJpeg(images[1].Bytes));
                break;
            case SimulatedResponseShape.GeminiNativeWithText:
                var textParts = root.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts");
                Assert.Equal("Here is your image.", textParts[0].GetProperty("text").GetString());
                Assert.True(textParts[1].TryGetProperty("inlineData", out _));
                break;
        }

        Assert.NotEmpty(Wire.Images(root));
    }

    [Fact]
    public async Task SendAsync_PngProfile_ServesValid64By64Png()
    {
        var options = new SimulatedGeminiOptions();
        options.Models[SimulatedModels.NanoBanana2].ImageFormat = SimulatedImageFormat.Png;
        using var simulation = new Simulation(options);
        using var json = await simulation.SendJsonAtAsync(simulation.HealthyInstant());
        var (png, mediaType, _) = Assert.Single(Wire.Images(json.RootElement));

        Assert.Equal("image/png", mediaType);
        Assert.True(Wire.IsPng(png));
        var chunks = ReadPngChunks(png);
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(c => c.Type));
        Assert.Equal(64, BinaryPrimitives.ReadInt32BigEndian(chunks[0].Data));
        Assert.Equal(64, BinaryPrimitives.ReadInt32BigEndian(chunks[0].Data.AsSpan(4)));
        using var inflater = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress);
        using var pixels = new MemoryStream();
        inflater.CopyTo(pixels);
        Assert.Equal(64 * ((64 * 3) + 1), pixels.Length);
    }

    [Theory]
    [InlineData(SimulatedModels.NanoBanana2)]
    [InlineData(SimulatedModels.NanoBananaPro)]
    public async Task SendAsync_InsideEpisode_ExactOverloadedEnvelope(string model)
    {
        var options = new SimulatedGeminiOptions();
        options.Models[model].EpisodeFailureRate = 1;
        using var simulation = new Simulation(options);

        var (status, body) = await simulation.SendAtAsync(simulation.OverloadedInstant(model), model);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(OverloadedBody, body);
    }

    [Fact]
    public async Task SendAsync_RateLimitInjected_PerMinuteQuotaWithRetryInfo()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { RateLimitRate = 1 });
        var (status, body) = await simulation.SendAtAsync(simulation.HealthyInstant());
        using var json = JsonDocument.Parse(body);
        var error = json.RootElement.GetProperty("error");
        var details = error.GetProperty("details").EnumerateArray().ToList();

        Assert.Equal((HttpStatusCode)429, status);
        Assert.Equal(429, error.GetProperty("code").GetInt32());
        Assert.Equal("RESOURCE_EXHAUSTED", error.GetProperty("status").GetString());
        var quotaId = details.Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.QuotaFailure")
            .GetProperty("violations")[0].GetProperty("quotaId").GetString();
        Assert.Contains("PerMinute", quotaId, StringComparison.Ordinal);
        var retryDelay = details.Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.RetryInfo").GetProperty("retryDelay").GetString()!;
        Assert.EndsWith("s", retryDelay, StringComparison.Ordinal);
        Assert.InRange(int.Parse(retryDelay[..^1], System.Globalization.CultureInfo.InvariantCulture), 5, 60);
        Assert.Equal(1, simulation.Handler.Statistics.GetCount(outcome: SimulatedOutcome.RateLimited));
    }

    [Fact]
    public async Task SendAsync_DailyQuotaInjected_PerDayQuotaIdAndLongHint()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { DailyQuotaRate = 1 });
        var (status, body) = await simulation.SendAtAsync(simulation.HealthyInstant(SimulatedModels.NanoBananaPro), SimulatedModels.NanoBananaPro);
        using var json = JsonDocument.Parse(body);
        var details = json.RootElement.GetProperty("error").GetProperty("details").EnumerateArray().ToList();

        Assert.Equal((HttpStatusCode)429, status);
        var violation = details.Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.QuotaFailure").GetProperty("violations")[0];
        Assert.Contains("PerDay", violation.GetProperty("quotaId").GetString(), StringComparison.Ordinal);
        Assert.Equal(SimulatedModels.NanoBananaPro, violation.GetProperty("quotaDimensions").GetProperty("model").GetString());
        var retryDelay = details.Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.RetryInfo").GetProperty("retryDelay").GetString()!;
        Assert.True(int.Parse(retryDelay[..^1], System.Globalization.CultureInfo.InvariantCulture) > 60, $"A daily quota hint should be long, was {retryDelay}.");
    }

    [Theory]
    [InlineData(SimulatedResponseShape.GeminiNative, "IMAGE_SAFETY")]
    [InlineData(SimulatedResponseShape.GeminiNativeSnakeCase, "IMAGE_SAFETY")]
    [InlineData(SimulatedResponseShape.OpenRouterImages, "content_filter")]
    [InlineData(SimulatedResponseShape.MarkdownDataUrl, "content_filter")]
    public async Task SendAsync_SafetyBlockInjected_200WithFinishReasonAndNoImage(SimulatedResponseShape shape, string finishReason)
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { SafetyBlockRate = 1, ResponseShape = shape });
        var (status, body) = await simulation.SendAtAsync(simulation.HealthyInstant());
        using var json = JsonDocument.Parse(body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(finishReason, FinishReason(json.RootElement));
        Assert.Empty(Wire.Images(json.RootElement));
    }

    [Theory]
    [InlineData(SimulatedResponseShape.GeminiNative, "NO_IMAGE")]
    [InlineData(SimulatedResponseShape.OpenRouterImages, "stop")]
    [InlineData(SimulatedResponseShape.ContentParts, "stop")]
    public async Task SendAsync_NoImageInjected_200WithTextOnly(SimulatedResponseShape shape, string finishReason)
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { NoImageRate = 1, ResponseShape = shape });
        var (status, body) = await simulation.SendAtAsync(simulation.HealthyInstant());
        using var json = JsonDocument.Parse(body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(finishReason, FinishReason(json.RootElement));
        Assert.Empty(Wire.Images(json.RootElement));
        Assert.Contains("description", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_BadGatewayInjected_Html502()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { BadGatewayRate = 1 });
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());
        using var response = await simulation.Client.SendAsync(Wire.Request(), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>502 Bad Gateway</title>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_RequiredKeyMissingOrWrong_OpenAiStyle401WithoutEchoingKey()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { RequiredApiKey = "sk-right" });
        simulation.Clock.SetUtcNow(simulation.HealthyInstant());
        var ct = TestContext.Current.CancellationToken;

        using var missing = await simulation.Client.SendAsync(Wire.Request(), ct);
        using var wrong = await simulation.Client.SendAsync(Wire.Request(apiKey: "sk-wrong-secret"), ct);
        using var right = await simulation.Client.SendAsync(Wire.Request(apiKey: "sk-right"), ct);
        var wrongBody = await wrong.Content.ReadAsStringAsync(ct);
        using var json = JsonDocument.Parse(wrongBody);
        var error = json.RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.DoesNotContain("sk-wrong", wrongBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(2, simulation.Handler.Statistics.GetCount(outcome: SimulatedOutcome.Unauthorized));
    }

    [Fact]
    public async Task SendAsync_UnknownModel_Google404()
    {
        using var simulation = new Simulation();
        var (status, body) = await simulation.SendAtAsync(Wire.Monday, "google/gemini-9-imaginary");
        using var json = JsonDocument.Parse(body);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(404, json.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("NOT_FOUND", json.RootElement.GetProperty("error").GetProperty("status").GetString());
        Assert.Contains("gemini-9-imaginary", json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, simulation.Handler.Statistics.GetCount("gemini-9-imaginary", SimulatedOutcome.UnknownModel));
    }

    [Fact]
    public async Task SendAsync_GatewayPrefixedModel_ServedAsBareModel()
    {
        using var simulation = new Simulation();
        var (status, _) = await simulation.SendAtAsync(simulation.HealthyInstant(), "google/" + SimulatedModels.NanoBanana2);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, simulation.Handler.Statistics.GetCount(SimulatedModels.NanoBanana2, SimulatedOutcome.Success));
    }

    [Fact]
    public async Task SendAsync_MalformedBody_Google400()
    {
        using var simulation = new Simulation();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Wire.BaseAddress, "chat/completions")) { Content = new StringContent("{\"model\":") };
        using var response = await simulation.Client.SendAsync(request, TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", json.RootElement.GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task SendAsync_Latency_CompletesOnlyWhenTheClockAdvances()
    {
        var options = new SimulatedGeminiOptions();
        options.Models[SimulatedModels.NanoBanana2].BackgroundFailureRate = 0;
        var clock = new FakeTimeProvider(Wire.Monday);
        using var handler = new SimulatedGeminiHandler(options, clock);
        using var client = new HttpClient(handler);
        clock.SetUtcNow(Wire.HealthyInstant(handler, SimulatedModels.NanoBanana2));

        // NB2 at 1K takes 8–20 s.
        var call = client.SendAsync(Wire.Request(imageSize: "1K"), TestContext.Current.CancellationToken);
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(7.9));
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(12.2));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(handler.Statistics.GetRecentRequests());
        Assert.InRange(record.Latency, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task SendAsync_Overloaded_AnswersWithinTwoSeconds()
    {
        var options = new SimulatedGeminiOptions();
        options.Models[SimulatedModels.NanoBanana2].EpisodeFailureRate = 1;
        var clock = new FakeTimeProvider(Wire.Monday);
        using var handler = new SimulatedGeminiHandler(options, clock);
        clock.SetUtcNow(Wire.OverloadedInstant(handler, SimulatedModels.NanoBanana2));
        using var client = new HttpClient(handler);

        var call = client.SendAsync(Wire.Request(imageSize: "4K"), TestContext.Current.CancellationToken);
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.InRange(Assert.Single(handler.Statistics.GetRecentRequests()).Latency, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task SendAsync_CallerCancelsDuringLatency_ThrowsAndRecordsCancellation()
    {
        var clock = new FakeTimeProvider(Wire.Monday);
        using var handler = new SimulatedGeminiHandler(new SimulatedGeminiOptions(), clock);
        using var client = new HttpClient(handler);
        using var cts = new CancellationTokenSource();

        var call = client.SendAsync(Wire.Request(), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, handler.Statistics.CanceledRequests);
        Assert.True(Assert.Single(handler.Statistics.GetRecentRequests()).Canceled);
    }

    [Theory]
    [InlineData(SimulatedModels.NanoBanana2, 20, 60)]
    [InlineData(SimulatedModels.NanoBananaPro, 30, 60)]
    public async Task SendAsync_4KRequests_LatencyWithinModelRangeAndProSteadier(string model, double min, double max)
    {
        var latencies = await SuccessLatenciesAsync(model, "4K", extraBody: false);
        var others = await SuccessLatenciesAsync(model == SimulatedModels.NanoBanana2 ? SimulatedModels.NanoBananaPro : SimulatedModels.NanoBanana2, "4K", extraBody: false);

        Assert.All(latencies, l => Assert.InRange(l, min, max));
        var spread = StandardDeviation(latencies);
        var otherSpread = StandardDeviation(others);
        if (model == SimulatedModels.NanoBananaPro)
        {
            Assert.True(spread < otherSpread, $"Pro's spread {spread:0.0} s should be below NB2's {otherSpread:0.0} s.");
        }
        else
        {
            Assert.True(spread > 8, $"NB2's 4K latency should vary widely, spread was {spread:0.0} s.");
        }
    }

    [Fact]
    public async Task SendAsync_ImageSizeInExtraBody_Honoured()
    {
        var small = await SuccessLatenciesAsync(SimulatedModels.NanoBanana2, "0.5K", extraBody: true);
        var large = await SuccessLatenciesAsync(SimulatedModels.NanoBanana2, "4K", extraBody: true);

        Assert.All(small, l => Assert.InRange(l, 5, 12));
        Assert.All(large, l => Assert.InRange(l, 20, 60));
    }

    [Fact]
    public void Constructor_InvalidOption_ThrowsNamingTheOption()
    {
        var options = new SimulatedGeminiOptions();
        options.Models[SimulatedModels.NanoBanana2].HourlyOverloadRates = [0.5];

        var error = Assert.Throws<ArgumentException>(() => new SimulatedGeminiHandler(options, TimeProvider.System));

        Assert.Contains("HourlyOverloadRates", error.Message, StringComparison.Ordinal);
        Assert.Contains("24", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<double>> SuccessLatenciesAsync(string model, string size, bool extraBody)
    {
        var options = new SimulatedGeminiOptions { LatencyScale = 0 };
        options.Models[model].BackgroundFailureRate = 0;
        var clock = new FakeTimeProvider(Wire.Monday);
        using var handler = new SimulatedGeminiHandler(options, clock);
        using var client = new HttpClient(handler);
        for (var i = 0; i < 200; i++)
        {
            clock.SetUtcNow(Wire.Monday.AddMinutes(i * 17));
            using var response = await client.SendAsync(Wire.Request(model, size, extraBody), TestContext.Current.CancellationToken);
        }

        return [.. handler.Statistics.GetRecentRequests().Where(r => r.Outcome == SimulatedOutcome.Success).Select(r => r.Latency.TotalSeconds)];
    }

    private static double StandardDeviation(List<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    private static string? FinishReason(JsonElement root) =>
        root.TryGetProperty("candidates", out var candidates)
            ? (candidates[0].TryGetProperty("finishReason", out var camel) ? camel : candidates[0].GetProperty("finish_reason")).GetString()
            : root.GetProperty("choices")[0].GetProperty("finish_reason").GetString();

    /// <summary>The layout of a body, without its values: property paths and value kinds.</summary>
    private static string Fingerprint(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p => p.Name + ":" + Fingerprint(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Fingerprint)) + "]",
        JsonValueKind.String when element.GetString()!.StartsWith("![", StringComparison.Ordinal) => "markdown",
        _ => element.ValueKind.ToString(),
    };

    /// <summary>Bitwise CRC-32 (IEEE), deliberately not the simulator's table-driven one.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static List<(string Type, byte[] Data)> ReadPngChunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (var offset = 8; offset < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length).ToArray();
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            Assert.Equal(crc, Crc32(png.AsSpan(offset + 4, 4 + length)));
            chunks.Add((type, data));
            offset += 12 + length;
        }

        return chunks;
    }
}
