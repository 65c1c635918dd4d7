using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>PeakHours:Mode = Adaptive through the engine: the clock as the prior, learning per UTC hour.</summary>
public class AdaptiveChainOrderTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    /// <summary>11:00 UTC on a Monday: inside the default peak window.</summary>
    private static readonly DateTimeOffset Peak = new(2025, 3, 3, 11, 0, 0, TimeSpan.Zero);

    private static Harness Adaptive(DateTimeOffset start, int seed)
    {
        var random = new Random(seed);
        var h = Harness.Create(o => o.PeakHours.Mode = PeakHoursMode.Adaptive, start, random.NextDouble);
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Image());
        return h;
    }

    private static async Task<int> Nb2FirstAsync(Harness h, int calls)
    {
        var first = 0;
        for (var i = 0; i < calls; i++)
        {
            var result = await h.GenerateAsync("x");
            first += result.Attempts[0].Model == Nb2 ? 1 : 0;
        }

        return first;
    }

    [Fact]
    public void Prior_InsideThePeakWindow_DemotesTheChainsFirstModelInMostDrawsButNotAll()
    {
        var clock = PeakWindow.From(new PeakHoursOptions());
        var nb2 = new HourlyChances(hour => AdaptiveChainOrder.Prior(clock, Nb2, Nb2, hour));
        var pro = new HourlyChances(hour => AdaptiveChainOrder.Prior(clock, Nb2, Pro, hour));
        var random = new Random(3);

        double KeepsPlace(HourlyChances chances, DateTimeOffset at, int attempts)
            => Enumerable.Range(0, 4_000).Count(_ => 1 - Math.Pow(1 - chances.Draw(at, random.NextDouble), attempts) >= AdaptiveChainOrder.KeepPlace) / 4_000.0;

        // NB2's three attempts at 15% a request: most draws put it behind Pro, about a quarter try it first (exploration).
        var nb2AtPeak = KeepsPlace(nb2, Peak, 3);
        TestContext.Current.TestOutputHelper?.WriteLine($"under the prior, NB2 keeps its place at peak in {nb2AtPeak:P1} of draws");
        Assert.InRange(nb2AtPeak, 0.1, 0.4);
        Assert.True(KeepsPlace(pro, Peak, 2) > 0.99);
        Assert.True(KeepsPlace(nb2, Harness.OffPeak, 3) > 0.99);
    }

    [Fact]
    public async Task GenerateAsync_Nb2FailsAtPeak_StaysBehindProAfterAFewTriesFirst()
    {
        using var h = Adaptive(Peak, seed: 1);
        h.Handler.On(Nb2, Replies.Overloaded());

        var first = await Nb2FirstAsync(h, 60);

        TestContext.Current.TestOutputHelper?.WriteLine($"NB2 first in {first} of 60 calls; NB2 requests {h.Handler.Count(Nb2)}");
        Assert.InRange(first, 1, 6);
        Assert.Equal(60, h.Handler.Count(Pro));
    }

    [Fact]
    public async Task GenerateAsync_Nb2AnswersAtPeak_LearnsToPutItFirstThereAgain()
    {
        using var h = Adaptive(Peak, seed: 2);

        // Calls that name NB2 go to the same routes: forty answers at this hour outweigh the prior.
        for (var i = 0; i < 40; i++)
        {
            await h.Client.GenerateAsync(new NanoBananaRequest("x") { Model = Nb2 }, TestContext.Current.CancellationToken);
        }

        var first = await Nb2FirstAsync(h, 100);

        Assert.InRange(first, 97, 100);
    }

    [Fact]
    public async Task GenerateAsync_OffPeak_KeepsTheConfiguredOrder()
    {
        using var h = Adaptive(Harness.OffPeak, seed: 4);

        var first = await Nb2FirstAsync(h, 50);

        Assert.InRange(first, 49, 50);
    }

    [Fact]
    public async Task GenerateAsync_ClockMode_IgnoresWhatTheModelsDid()
    {
        using var h = Harness.Create(start: Peak);
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Image());

        var result = await h.Client.GenerateAsync("x", TestContext.Current.CancellationToken);

        Assert.Equal(Pro, result.Model);
    }

    [Fact]
    public void Validate_UndefinedMode_NamesTheKey()
    {
        var errors = NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o => o.PeakHours.Mode = (PeakHoursMode)7));

        Assert.Contains(errors, e => e.StartsWith("NanoBanana:PeakHours:Mode must be Clock or Adaptive", StringComparison.Ordinal));
    }
}
