using System.Drawing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.AI;
using NanoBananaResilience.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.AI;

public sealed class NanoBananaImageGeneratorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateAsync_PromptAndOriginalImages_SentAsPromptAndReferenceImagesInOrder()
    {
        var client = new RecordingClient();
        var generator = client.AsImageGenerator();

        await generator.GenerateAsync(
            new ImageGenerationRequest("put the cat on the moon", [new DataContent(TestImages.TinyPng, "image/png"), new DataContent(TestImages.TinyJpeg, "image/jpeg")]),
            cancellationToken: Ct);

        var sent = Assert.Single(client.Requests);
        Assert.Equal("put the cat on the moon", sent.Prompt);
        Assert.Equal(["image/png", "image/jpeg"], sent.ReferenceImages.Select(i => i.MediaType));
        Assert.Equal(TestImages.TinyJpeg, sent.ReferenceImages[1].Data.ToArray());
        Assert.Null(sent.Size);
        Assert.Null(sent.AspectRatio);
        Assert.Null(sent.Model);
    }

    [Theory]
    [InlineData(1024, 1024, "1K", "1:1")]
    [InlineData(512, 512, "0.5K", "1:1")]
    [InlineData(1920, 1080, "2K", "16:9")]
    [InlineData(768, 1024, "1K", "3:4")]
    [InlineData(1536, 1024, "2K", "3:2")]
    [InlineData(4096, 2304, "4K", "16:9")]
    [InlineData(2016, 864, "2K", "21:9")]
    public async Task GenerateAsync_ImageSize_SizeClassOfLongSideAndReducedRatio(int width, int height, string size, string ratio)
    {
        var client = new RecordingClient();

        await client.AsImageGenerator().GenerateAsync(new ImageGenerationRequest("a cat"), new ImageGenerationOptions { ImageSize = new Size(width, height) }, Ct);

        var sent = Assert.Single(client.Requests);
        Assert.Equal(ImageSize.Parse(size), sent.Size);
        Assert.Equal(AspectRatio.Parse(ratio), sent.AspectRatio);
    }

    [Fact]
    public async Task GenerateAsync_ModelId_ReplacesTheChainForTheCall()
    {
        var client = new RecordingClient();

        await client.AsImageGenerator().GenerateAsync(new ImageGenerationRequest("a cat"), new ImageGenerationOptions { ModelId = NanoBananaModels.NanoBananaPro, Count = 1 }, Ct);

        Assert.Equal(NanoBananaModels.NanoBananaPro, Assert.Single(client.Requests).Model);
    }

    [Fact]
    public async Task GenerateAsync_CountAboveOne_NotSupportedAndNothingSent()
    {
        var client = new RecordingClient();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() =>
            client.AsImageGenerator().GenerateAsync(new ImageGenerationRequest("a cat"), new ImageGenerationOptions { Count = 3 }, Ct));

        Assert.Contains("Count is 3", error.Message, StringComparison.Ordinal);
        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task GenerateAsync_HostedResponseFormat_NotSupportedAndNothingSent()
    {
        var client = new RecordingClient();

        await Assert.ThrowsAsync<NotSupportedException>(() =>
            client.AsImageGenerator().GenerateAsync(new ImageGenerationRequest("a cat"), new ImageGenerationOptions { ResponseFormat = ImageGenerationResponseFormat.Hosted }, Ct));

        Assert.Empty(client.Requests);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1000, 999)]
    public async Task GenerateAsync_SizeWithoutADrawableRatio_ArgumentExceptionNamingTheSize(int width, int height)
    {
        var client = new RecordingClient();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.AsImageGenerator().GenerateAsync(new ImageGenerationRequest("a cat"), new ImageGenerationOptions { ImageSize = new Size(width, height) }, Ct));

        Assert.Contains($"{width}×{height}", error.Message, StringComparison.Ordinal);
        Assert.Empty(client.Requests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public async Task GenerateAsync_NoPrompt_ArgumentExceptionAndNothingSent(string? prompt)
    {
        var client = new RecordingClient();

        await Assert.ThrowsAsync<ArgumentException>(() => client.AsImageGenerator().GenerateAsync(new ImageGenerationRequest { Prompt = prompt }, cancellationToken: Ct));

        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task GenerateAsync_OriginalImageByAddress_ArgumentExceptionAskingForBytes()
    {
        var client = new RecordingClient();
        var request = new ImageGenerationRequest("edit this", [new UriContent(new Uri("https://example.test/cat.png"), "image/png")]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.AsImageGenerator().GenerateAsync(request, cancellationToken: Ct));

        Assert.Contains("UriContent", error.Message, StringComparison.Ordinal);
        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task GenerateAsync_OriginalImageThatIsNotAnImage_ArgumentException()
    {
        var client = new RecordingClient();
        var request = new ImageGenerationRequest("edit this", [new DataContent("not an image"u8.ToArray(), "image/png")]);

        await Assert.ThrowsAsync<ArgumentException>(() => client.AsImageGenerator().GenerateAsync(request, cancellationToken: Ct));

        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task GenerateAsync_ThroughTheSimulator_DataContentUsageAndResultWithTrail()
    {
        var handler = new SimulatedGeminiHandler(Simulation.AlwaysHealthy(), new FakeTimeProvider(Simulation.OffPeak));
        var generator = Simulation.Client(handler).AsImageGenerator();

        var response = await generator.GenerateAsync(new ImageGenerationRequest("a nano banana in a spacesuit"), cancellationToken: Ct);

        var image = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal("image/jpeg", image.MediaType);
        Assert.Equal(0xFF, image.Data.Span[0]);
        var result = Assert.IsType<NanoBananaResult>(response.RawRepresentation);
        Assert.Equal(SimulatedModels.NanoBanana2, result.Model);
        Assert.Equal(AttemptOutcome.Success, Assert.Single(result.Attempts).Outcome);
        Assert.Equal(result.Image.Data.ToArray(), image.Data.ToArray());
        Assert.NotNull(response.Usage);
        Assert.Equal(result.Usage?.PromptTokens, (int?)response.Usage.InputTokenCount);
        Assert.Equal(result.Usage?.CompletionTokens, (int?)response.Usage.OutputTokenCount);
        Assert.True(response.Usage.OutputTokenCount > 0);
        Assert.Equal(1, handler.Statistics.GetCount(SimulatedModels.NanoBanana2));
    }

    [Fact]
    public async Task GenerateAsync_ImageOnlyByAddress_UriContent()
    {
        var url = new Uri("https://cdn.example.test/image.png");
        var client = new RecordingClient(NanoBananaModelFactory.GeneratedImage(ReadOnlyMemory<byte>.Empty, "image/png", url: url));

        var response = await client.AsImageGenerator().GenerateAsync(new ImageGenerationRequest("a cat"), cancellationToken: Ct);

        var content = Assert.IsType<UriContent>(Assert.Single(response.Contents));
        Assert.Equal(url, content.Uri);
        Assert.Equal("image/png", content.MediaType);
    }

    [Fact]
    public async Task GenerateAsync_SafetyBlock_NanoBananaExceptionWithOutcome()
    {
        var world = Simulation.AlwaysHealthy();
        world.SafetyBlockRate = 1;
        var handler = new SimulatedGeminiHandler(world, new FakeTimeProvider(Simulation.OffPeak));
        var generator = Simulation.Client(handler).AsImageGenerator();

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => generator.GenerateAsync(new ImageGenerationRequest("something blocked"), cancellationToken: Ct));

        Assert.Equal(AttemptOutcome.ContentBlocked, error.Outcome);
        Assert.Equal(1, handler.Statistics.GetCount(SimulatedModels.NanoBanana2));
    }

    [Fact]
    public async Task GenerateAsync_CancelledWhileTheModelDraws_OperationCanceledAtOnce()
    {
        // Real latency on a clock that never moves: the call is in flight until the token fires.
        var world = Simulation.AlwaysHealthy();
        world.LatencyScale = 1;
        var clock = new FakeTimeProvider(Simulation.OffPeak);
        var handler = new SimulatedGeminiHandler(world, clock);
        var generator = Simulation.Client(handler).AsImageGenerator();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = generator.GenerateAsync(new ImageGenerationRequest("a slow cat"), cancellationToken: cancellation.Token);
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cancellation.Token, error.CancellationToken);
    }

    [Fact]
    public void GetService_MetadataClientAndSelf_KeyedServicesNotOffered()
    {
        var client = new RecordingClient();
        var generator = client.AsImageGenerator(NanoBananaModels.NanoBanana2);

        var metadata = generator.GetService<ImageGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("gcp.gemini", metadata.ProviderName);
        Assert.Equal(NanoBananaModels.NanoBanana2, metadata.DefaultModelId);
        Assert.Same(client, generator.GetService<INanoBananaClient>());
        Assert.Same(generator, generator.GetService<NanoBananaImageGenerator>());
        Assert.Null(generator.GetService<INanoBananaClient>("a key"));
        Assert.Null(generator.GetService<HttpClient>());
    }

    [Fact]
    public void AsImageGenerator_NullClient_ArgumentNullException()
        => Assert.Throws<ArgumentNullException>(() => ((INanoBananaClient)null!).AsImageGenerator());

    /// <summary>Records what the adapter asks for and answers with one fixed image.</summary>
    private sealed class RecordingClient(GeneratedImage? image = null) : INanoBananaClient
    {
        public List<NanoBananaRequest> Requests { get; } = [];

        public Task<NanoBananaResult> GenerateAsync(string prompt, CancellationToken cancellationToken = default)
            => GenerateAsync(new NanoBananaRequest(prompt), cancellationToken);

        public Task<NanoBananaResult> GenerateAsync(NanoBananaRequest request, CancellationToken cancellationToken = default)
        {
            Requests.Add(request);
            return Task.FromResult(NanoBananaModelFactory.NanoBananaResult([image ?? NanoBananaModelFactory.GeneratedImage(TestImages.TinyPng)]));
        }

        public IReadOnlyList<ModelStatus> GetModelStatuses() => [];

        public INanoBananaCostMeter Costs => NoCosts.Instance;

        public NanoBananaSchedule Schedule => NanoBananaModelFactory.NanoBananaSchedule();
    }
}
