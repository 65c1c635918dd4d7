using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Testing;

namespace NanoBananaResilience.Gateways.Tests;

/// <summary>
/// The simulator on loopback in front of the gateway suites: it requires the Google key (so it must arrive the way the
/// suite under test sends it), answers at once, and keeps Nano Banana 2 down or every model up on a frozen clock.
/// </summary>
internal sealed class SimulatedGoogle : IAsyncDisposable
{
    private SimulatedGoogle(SimulatedGeminiServer server, FakeTimeProvider clock)
    {
        Server = server;
        Clock = clock;
    }

    public SimulatedGeminiServer Server { get; }

    public SimulatedGeminiStatistics Statistics => Server.Handler.Statistics;

    /// <summary>Gets the simulator's clock, frozen: it moves only when a test moves it.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>Gets what the library received, one body per response.</summary>
    public ExchangeRecorder Recorder { get; } = new();

    /// <summary>The bare origin: Portkey appends <c>/v1beta/models/…</c> to its custom host.</summary>
    public string Origin => Server.BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>Google's own API on the simulator, as a <c>BaseAddress</c> for the Google-native protocol.</summary>
    public Uri GoogleBaseAddress => new(Origin + "/v1beta/");

    public static async Task<SimulatedGoogle> StartAsync(string googleKey, SimulatedResponseShape shape, bool nb2Down = false, Action<SimulatedGeminiOptions>? configure = null)
    {
        var options = new SimulatedGeminiOptions { LatencyScale = 0, ResponseShape = shape, RequiredApiKey = googleKey };
        options.Models[SimulatedModels.NanoBanana2] = nb2Down ? DownAllDay() : UpAllDay();
        options.Models[SimulatedModels.NanoBananaPro] = UpAllDay();
        configure?.Invoke(options);

        // A clock of its own, frozen inside an overload episode of NB2 when it must be down: every request then
        // fails, not 99.9% of them.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
        var server = new SimulatedGeminiServer(options, clock);
        if (nb2Down)
        {
            var episode = server.Handler.GetOverloadEpisodes(SimulatedModels.NanoBanana2, clock.GetUtcNow(), clock.GetUtcNow().AddDays(1)).MaxBy(e => e.Duration);
            clock.SetUtcNow(episode.Start + (episode.Duration / 2));
        }

        await server.StartAsync(TestContext.Current.CancellationToken);
        return new SimulatedGoogle(server, clock);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private static SimulatedModelProfile DownAllDay()
    {
        // All failures come from episodes, and inside one every request fails.
        var down = SimulatedModelProfile.CreateCustom(Enumerable.Repeat(0.99, 24));
        down.EpisodeFailureRate = 1;
        down.BackgroundFailureRate = 0;
        return down;
    }

    private static SimulatedModelProfile UpAllDay()
    {
        var up = SimulatedModelProfile.CreateCustom(new double[24]);
        up.BackgroundFailureRate = 0;
        return up;
    }
}
