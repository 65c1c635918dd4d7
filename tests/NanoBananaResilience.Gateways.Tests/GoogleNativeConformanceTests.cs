using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience.Testing;

namespace NanoBananaResilience.Gateways.Tests;

/// <summary>
/// The Portkey suite's scenarios with no gateway in between: the library's Google-native protocol straight at the
/// simulator's <c>generateContent</c> endpoint over loopback, configured as the README's "Google direct" row says.
/// Each test prints what the endpoint sent back.
/// </summary>
public sealed partial class GoogleNativeConformanceTests
{
    private const string Nb2 = SimulatedModels.NanoBanana2;
    private const string Pro = SimulatedModels.NanoBananaPro;
    private const string GoogleKey = "AIza-google-native-conformance";

    [Fact]
    public async Task GenerateAsync_TextAndImage_ReturnsTheImageAndTheText()
    {
        await using var google = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNativeWithText);
        using var services = Services(google);

        var result = await Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        Assert.Equal(Nb2, result.Model);
        Assert.Equal("image/jpeg", result.Image.MediaType);
        Assert.Equal("Here is your image.", result.Text);
        Assert.Contains("\"inlineData\"", Assert.Single(google.Recorder.Bodies), StringComparison.Ordinal);
        Assert.Equal(1, google.Statistics.TotalRequests);
    }

    [Fact]
    public async Task GenerateAsync_ImageOnly_ReturnsTheImage()
    {
        await using var google = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative);
        using var services = Services(google);

        var result = await Client(services).GenerateAsync(new NanoBananaRequest("a cat in a spacesuit") { Size = ImageSize.TwoK, AspectRatio = AspectRatio.Parse("16:9") }, TestContext.Current.CancellationToken);

        Assert.Equal("image/jpeg", Assert.Single(result.Images).MediaType);
        Assert.Null(result.Text);
        Assert.Equal(0.101m, result.EstimatedCostUsd); // NB2 at 2K: the size went with the request
        Assert.Equal(1, google.Statistics.TotalRequests);
    }

    [Fact]
    public async Task GenerateAsync_ThoughtImages_ReturnsTheFinalImageNotTheThought()
    {
        await using var google = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNativeWithThought);
        using var services = Services(google);

        var result = await Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        // Google keeps the flag: the interim image (a PNG) and the thought text are marked, the answer (a JPEG) is not.
        var body = Assert.Single(google.Recorder.Bodies);
        Assert.Equal(2, InlineData().Count(body));
        Assert.Equal(2, Thought().Count(body));
        Assert.Equal("image/jpeg", Assert.Single(result.Images).MediaType);
        Assert.Null(result.Text);
    }

    [Fact]
    public async Task GenerateAsync_Nb2OverloadedProUp_SendsThreeToNb2AndOneToPro()
    {
        await using var google = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative, nb2Down: true);
        using var services = Services(google);

        var result = await Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

        Assert.Equal(Pro, result.Model);
        Assert.Equal(3, google.Statistics.GetCount(Nb2));
        Assert.Equal(3, google.Statistics.GetCount(Nb2, SimulatedOutcome.Overloaded));
        Assert.Equal(1, google.Statistics.GetCount(Pro));
        Assert.Equal(4, google.Statistics.TotalRequests);
        Assert.Equal([AttemptOutcome.Overloaded, AttemptOutcome.Overloaded, AttemptOutcome.Overloaded, AttemptOutcome.Success], result.Attempts.Select(a => a.Outcome));
        Assert.Equal([AttemptDecision.Retry, AttemptDecision.Retry, AttemptDecision.NextModel, AttemptDecision.Return], result.Attempts.Select(a => a.Decision));
        Assert.All(google.Recorder.Bodies.Take(3), b => Assert.Contains("\"status\":\"UNAVAILABLE\"", b, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GenerateAsync_RateLimited_RestsTheModelExactlyForGooglesRetryInfo()
    {
        await using var google = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative, configure: o => o.RateLimitRate = 1);
        using var services = Services(google, google.Clock); // the endpoint's frozen clock: the rest is exact
        var client = Client(services);
        var now = google.Clock.GetUtcNow();

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => client.GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken));

        // Google's own 429 carries google.rpc.RetryInfo (and no Retry-After header): that is the hint honoured.
        var seconds = int.Parse(RetryDelay().Match(google.Recorder.Bodies[0]).Groups[1].Value, CultureInfo.InvariantCulture);
        var first = error.Attempts[0];
        Assert.Equal((Nb2, AttemptOutcome.RateLimited, 429, AttemptDecision.NextModel), (first.Model, first.Outcome, first.StatusCode, first.Decision));
        Assert.Equal(AttemptOutcome.RateLimited, error.Outcome);
        Assert.Equal(now.AddSeconds(seconds), client.GetModelStatuses().Single(s => s.Model == Nb2).RestingUntil);
        Assert.Equal(1, google.Statistics.GetCount(Nb2));
        Assert.Equal(1, google.Statistics.GetCount(Pro));
    }

    [Fact]
    public async Task GenerateAsync_SafetyBlock_IsContentBlockedAfterOneRequest()
    {
        await using var google = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative, configure: o => o.SafetyBlockRate = 1);
        using var services = Services(google);

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => Client(services).GenerateAsync("something forbidden", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.ContentBlocked, error.Outcome);
        Assert.Equal("IMAGE_SAFETY", error.Attempts[0].ProviderStatus);
        Assert.Equal(1, google.Statistics.TotalRequests);
    }

    [Fact]
    public async Task GenerateAsync_WrongKey_IsUnauthorizedAfterOneRequestAndNeverShowsTheKey()
    {
        await using var google = await SimulatedGoogle.StartAsync(GoogleKey, SimulatedResponseShape.GeminiNative);
        using var services = Services(google, apiKey: "AIza-not-the-right-key");

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => Client(services).GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.Unauthorized, error.Outcome);
        Assert.Equal(1, google.Statistics.TotalRequests);
        Assert.DoesNotContain("AIza-not-the-right-key", error.ToString(), StringComparison.Ordinal);
    }

    private static INanoBananaClient Client(ServiceProvider services) => services.GetRequiredService<INanoBananaClient>();

    /// <summary>The README's "Google direct" row: Google's base address, the AI Studio key, the protocol; nothing else.</summary>
    private static ServiceProvider Services(SimulatedGoogle google, TimeProvider? clock = null, string apiKey = GoogleKey)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddNanoBananaClient(o =>
        {
            o.Protocol = GatewayProtocol.GoogleNative;
            o.BaseAddress = google.GoogleBaseAddress;
            o.ApiKey = apiKey;
            o.PeakHours.Enabled = false; // the wall clock must not decide the order
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(5);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);

            // Equal, so a call whose models all rest ends at once instead of waiting for one to reopen.
            o.AttemptTimeout = TimeSpan.FromSeconds(20);
            o.TotalTimeout = TimeSpan.FromSeconds(20);
        })
        .AddHttpMessageHandler(google.Recorder.CreateHandler);
        return services.BuildServiceProvider();
    }

    [GeneratedRegex("\"inlineData\"", RegexOptions.CultureInvariant)]
    private static partial Regex InlineData();

    [GeneratedRegex("\"thought\":true", RegexOptions.CultureInvariant)]
    private static partial Regex Thought();

    [GeneratedRegex("\"retryDelay\":\"(\\d+)s\"", RegexOptions.CultureInvariant)]
    private static partial Regex RetryDelay();
}
