using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience.Testing;

namespace NanoBananaResilience.Gateways.Tests;

/// <summary>
/// The library through the real Portkey gateway (its <c>google</c> provider, pointed by <c>x-portkey-custom-host</c>
/// at the simulator's Google-native endpoint), configured the way the README tells users to. Each test prints what
/// Portkey sent back.
/// </summary>
public sealed partial class PortkeyConformanceTests(PortkeyGateway gateway) : IClassFixture<PortkeyGateway>
{
    private const string Nb2 = SimulatedModels.NanoBanana2;
    private const string Pro = SimulatedModels.NanoBananaPro;
    private const string GoogleKey = "AIza-portkey-conformance";

    [Fact]
    public async Task GenerateAsync_TextAndImage_ReturnsTheImageAndTheTextOnce()
    {
        await using var world = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNativeWithText);
        using var services = Services(world);

        var result = await Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        Assert.Equal(Nb2, result.Model);
        Assert.Equal("image/jpeg", result.Image.MediaType);
        Assert.Equal("Here is your image.", result.Text);
        Assert.Contains("\"content_blocks\"", Assert.Single(world.Recorder.Bodies), StringComparison.Ordinal);
        Assert.Equal(1, world.Server.Handler.Statistics.TotalRequests);
    }

    [Fact]
    public async Task GenerateAsync_ImageOnly_ReturnsTheImage()
    {
        await using var world = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative);
        using var services = Services(world);

        var result = await Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        Assert.Equal("image/jpeg", result.Image.MediaType);
        Assert.Single(result.Images);
        Assert.Null(result.Text);
        Assert.Equal(1, world.Server.Handler.Statistics.TotalRequests);
    }

    [Fact]
    public async Task GenerateAsync_ThoughtImages_ReturnsTheFinalImageNotTheThought()
    {
        await using var world = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNativeWithThought);
        using var services = Services(world);

        var result = await Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        // Portkey drops the thought flag of the interim image (a PNG); the final image is the simulator's JPEG.
        var body = Assert.Single(world.Recorder.Bodies);
        Assert.Equal(2, ImageBlock().Count(body));
        Assert.Contains("\"type\":\"thinking\"", body, StringComparison.Ordinal);
        Assert.Equal("image/jpeg", Assert.Single(result.Images).MediaType);
        Assert.Null(result.Text); // the thought text is not the answer's
    }

    [Fact]
    public async Task GenerateAsync_Nb2OverloadedProUp_SendsThreeToNb2AndOneToPro()
    {
        await using var world = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative, nb2Down: true);
        using var services = Services(world);

        var result = await Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        Assert.Equal(Pro, result.Model);
        Assert.Equal(3, world.Server.Handler.Statistics.GetCount(Nb2));
        Assert.Equal(3, world.Server.Handler.Statistics.GetCount(Nb2, SimulatedOutcome.Overloaded));
        Assert.Equal(1, world.Server.Handler.Statistics.GetCount(Pro));
        Assert.Equal([AttemptOutcome.Overloaded, AttemptOutcome.Overloaded, AttemptOutcome.Overloaded, AttemptOutcome.Success], result.Attempts.Select(a => a.Outcome));
        Assert.Equal([AttemptDecision.Retry, AttemptDecision.Retry, AttemptDecision.NextModel, AttemptDecision.Return], result.Attempts.Select(a => a.Decision));
        Assert.All(world.Recorder.Bodies.Take(3), b => Assert.Contains("\"provider\":\"google\"", b, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GenerateAsync_RateLimited_RestsTheModelForTheHintPortkeyKeptInTheMessage()
    {
        await using var world = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative, configure: o => o.RateLimitRate = 1);
        using var services = Services(world);
        var client = Client(services);

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => client.GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken));
        var after = DateTimeOffset.UtcNow;

        // Portkey drops Google's RetryInfo and keeps the message, which repeats the delay.
        var seconds = int.Parse(RetryIn().Match(world.Recorder.Bodies[0]).Groups[1].Value, CultureInfo.InvariantCulture);
        var first = error.Attempts[0];
        Assert.Equal((Nb2, AttemptOutcome.RateLimited, 429, AttemptDecision.NextModel), (first.Model, first.Outcome, first.StatusCode, first.Decision));
        Assert.Equal(AttemptOutcome.RateLimited, error.Outcome);
        var resting = client.GetModelStatuses().Single(s => s.Model == Nb2).RestingUntil;
        Assert.NotNull(resting);
        Assert.InRange((resting.Value - after).TotalSeconds, seconds - 5, seconds);
        Assert.Equal(1, world.Server.Handler.Statistics.GetCount(Nb2));
        Assert.Equal(1, world.Server.Handler.Statistics.GetCount(Pro));
    }

    [Fact]
    public async Task GenerateAsync_SafetyBlock_IsContentBlockedAfterOneRequest()
    {
        await using var world = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative, configure: o => o.SafetyBlockRate = 1);
        using var services = Services(world);

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => Client(services).GenerateAsync("something forbidden", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.ContentBlocked, error.Outcome);
        Assert.Equal("IMAGE_SAFETY", error.Attempts[0].ProviderStatus);
        Assert.Equal(1, world.Server.Handler.Statistics.TotalRequests);
    }

    [Fact]
    public async Task GenerateAsync_StrictComplianceLeftOn_FailsNoImageNamingTheHeader()
    {
        await using var world = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative);
        using var services = Services(world, strictCompliance: true);

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken));

        // The model drew both images and both were billed; Portkey dropped them.
        Assert.Equal(AttemptOutcome.NoImage, error.Outcome);
        Assert.All(error.Attempts, a => Assert.Contains("x-portkey-strict-open-ai-compliance: false", a.Detail, StringComparison.Ordinal));
        Assert.Equal(2, world.Server.Handler.Statistics.GetCount(outcome: SimulatedOutcome.Success));
    }

    [Fact]
    public async Task GenerateAsync_TwoGatewaysThroughPortkeyWithHeadersOfTheirOwn_EachReachesItsOwnUpstream()
    {
        // Both gateways are this Portkey and differ only in a header: the first's custom host has Nano Banana 2 down,
        // the second's is up. Portkey's own headers are shared from NanoBanana:Headers.
        await using var down = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative, nb2Down: true);
        await using var up = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative);
        var settings = Settings();
        settings["NanoBanana:Headers:x-portkey-provider"] = "google";
        settings["NanoBanana:Headers:x-portkey-strict-open-ai-compliance"] = "false";
        foreach (var (index, name, world) in new[] { (0, "first", down), (1, "second", up) })
        {
            settings[$"NanoBanana:Gateways:{index}:Name"] = name;
            settings[$"NanoBanana:Gateways:{index}:BaseAddress"] = new Uri(gateway.Address, "v1/").ToString();
            settings[$"NanoBanana:Gateways:{index}:ApiKey"] = GoogleKey;
            settings[$"NanoBanana:Gateways:{index}:Headers:x-portkey-custom-host"] = world.Origin;
        }

        using var services = Build(settings, new ExchangeRecorder());

        var result = await Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        Assert.Equal((Nb2, "second", "image/jpeg"), (result.Model, result.Gateway, result.Image.MediaType));
        Assert.Equal(["first", "first", "first", "second"], result.Attempts.Select(a => a.Gateway));
        Assert.Equal((3L, 3L), (down.Statistics.GetCount(Nb2), down.Statistics.TotalRequests));
        Assert.Equal((1L, 1L), (up.Statistics.GetCount(Nb2, SimulatedOutcome.Success), up.Statistics.TotalRequests));
    }

    private static INanoBananaClient Client(ServiceProvider services) => services.GetRequiredService<INanoBananaClient>();

    /// <summary>
    /// The README's Portkey recipe: the gateway's OpenAI-style address, the Google key, and Portkey's headers, all from
    /// configuration (<c>NanoBanana:Headers</c>).
    /// </summary>
    private ServiceProvider Services(SimulatedGoogle world, bool strictCompliance = false)
    {
        var settings = Settings();
        settings["NanoBanana:BaseAddress"] = new Uri(gateway.Address, "v1/").ToString();
        settings["NanoBanana:ApiKey"] = GoogleKey;
        settings["NanoBanana:Headers:x-portkey-provider"] = "google";
        settings["NanoBanana:Headers:x-portkey-custom-host"] = world.Origin;
        if (!strictCompliance)
        {
            settings["NanoBanana:Headers:x-portkey-strict-open-ai-compliance"] = "false";
        }

        return Build(settings, world.Recorder);
    }

    /// <summary>What every scenario shares: no peak reversal by the wall clock, short backoffs.</summary>
    private static Dictionary<string, string?> Settings() => new()
    {
        ["NanoBanana:PeakHours:Enabled"] = "false",
        ["NanoBanana:Retry:BaseDelay"] = "00:00:00.005",
        ["NanoBanana:Retry:MaxDelay"] = "00:00:00.020",

        // Equal, so a call whose models all rest ends at once instead of waiting for one to reopen.
        ["NanoBanana:AttemptTimeout"] = "00:00:20",
        ["NanoBanana:TotalTimeout"] = "00:00:20",
    };

    private static ServiceProvider Build(Dictionary<string, string?> settings, ExchangeRecorder recorder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNanoBananaClient(configuration.GetSection(NanoBananaOptions.SectionName)).AddHttpMessageHandler(recorder.CreateHandler);
        return services.BuildServiceProvider();
    }

    [GeneratedRegex("\"type\":\"image_url\"", RegexOptions.CultureInvariant)]
    private static partial Regex ImageBlock();

    [GeneratedRegex(@"retry in (\d+)s", RegexOptions.CultureInvariant)]
    private static partial Regex RetryIn();
}
