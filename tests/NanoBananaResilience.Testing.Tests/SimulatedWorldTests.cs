using System.Globalization;
using System.Net;
using NanoBananaResilience.Testing.Tests.TestSupport;

namespace NanoBananaResilience.Testing.Tests;

/// <summary>
/// The four worlds: each keeps the hourly table of 503 shares, and each differs from the others in the one way it says.
/// </summary>
public sealed class SimulatedWorldTests
{
    private const int Days = 60;

    /// <summary>The table's bands: (from hour, to hour, NB2's share, Pro's share).</summary>
    public static TheoryData<SimulatedWorld, string> WorldsAndModels()
    {
        var data = new TheoryData<SimulatedWorld, string>();
        foreach (var world in Enum.GetValues<SimulatedWorld>())
        {
            data.Add(world, SimulatedModels.NanoBanana2);
            data.Add(world, SimulatedModels.NanoBananaPro);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WorldsAndModels))]
    public void GetOverloadProbability_SixtyDayRuns_HourlyShareWithinTwoPointsOfTheTable(SimulatedWorld world, string model)
    {
        // One 60-day run of an episodic world is one draw of its weather: a 4-hour band holds a few dozen episodes, and
        // their lengths vary a lot (70% end within an hour, a few last over four). So the calibration is judged on the
        // mean of ten 60-day runs, and the spread of single runs is printed beside it.
        var profile = model == SimulatedModels.NanoBanana2 ? SimulatedModelProfile.CreateNanoBanana2() : SimulatedModelProfile.CreateNanoBananaPro();
        var output = TestContext.Current.TestOutputHelper;
        var bands = new[] { (From: 0, To: 6), (From: 6, To: 10), (From: 10, To: 14), (From: 14, To: 18), (From: 18, To: 24) };
        var runs = Enumerable.Range(1, Seeds).Select(seed => BandShares(new SimulatedGeminiOptions { Seed = seed, World = world }, model, bands)).ToArray();
        for (var b = 0; b < bands.Length; b++)
        {
            var expected = profile.HourlyOverloadRates[bands[b].From];
            var mean = runs.Average(r => r[b]);
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{world} {model} {bands[b].From:00}-{bands[b].To:00}: mean {mean:0.000} (table {expected:0.00}), single runs {runs.Min(r => r[b]):0.000}–{runs.Max(r => r[b]):0.000}"));
            Assert.InRange(mean, expected - 0.02, expected + 0.02);
        }
    }

    [Fact]
    public void Shared_PeakHours_ProIsMostlyOverloadedWhileNanoBanana2Is()
    {
        double Overlap(SimulatedWorld world)
        {
            int proDown = 0, bothDown = 0;
            foreach (var seed in new[] { 3, 11, 19 })
            {
                using var handler = new SimulatedGeminiHandler(new SimulatedGeminiOptions { Seed = seed, World = world }, TimeProvider.System);
                for (var t = Wire.Monday; t < Wire.Monday.AddDays(Days); t = t.AddMinutes(1))
                {
                    if (t.Hour is >= 10 and < 14 && handler.IsOverloaded(SimulatedModels.NanoBananaPro, t))
                    {
                        proDown++;
                        bothDown += handler.IsOverloaded(SimulatedModels.NanoBanana2, t) ? 1 : 0;
                    }
                }
            }

            return bothDown / (double)proDown;
        }

        var independent = Overlap(SimulatedWorld.Episodes);
        var shared = Overlap(SimulatedWorld.Shared);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"share of Pro's overloaded peak minutes inside an NB2 episode: episodes {independent:0.000}, shared {shared:0.000}"));
        Assert.InRange(independent, 0.35, 0.6); // NB2 is down ~46% of the peak: chance alone
        Assert.True(shared > 0.8, $"Only {shared:P1} of Pro's overloaded peak time is shared with NB2.");
    }

    [Fact]
    public void Partial_InsideEpisodes_EachEpisodeShedsItsOwnShareBetweenTheBounds()
    {
        using var handler = new SimulatedGeminiHandler(new SimulatedGeminiOptions { Seed = 5, World = SimulatedWorld.Partial }, TimeProvider.System);
        var episodes = handler.GetOverloadEpisodes(SimulatedModels.NanoBanana2, Wire.Monday, Wire.Monday.AddDays(10));
        var shares = episodes.Select(e => handler.GetOverloadProbability(SimulatedModels.NanoBanana2, e.Start)).ToList();

        Assert.True(episodes.Count > 50, $"{episodes.Count} episodes in 10 days");
        Assert.All(shares, s => Assert.InRange(s, 0.40, 0.95));
        Assert.True(shares.Max() - shares.Min() > 0.4, "Episodes should not all shed the same share.");
        Assert.All(episodes, e => Assert.Equal(handler.GetOverloadProbability(SimulatedModels.NanoBanana2, e.Start), handler.GetOverloadProbability(SimulatedModels.NanoBanana2, e.End.AddSeconds(-1))));
    }

    [Fact]
    public async Task Noise_EveryRequestFailsIndependentlyAtTheHourlyRate()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { Seed = 9, World = SimulatedWorld.Noise });
        Assert.Empty(simulation.Handler.GetOverloadEpisodes(SimulatedModels.NanoBanana2, Wire.Monday, Wire.Monday.AddDays(30)));

        int calls = 0, failures = 0, pairs = 0, agreements = 0;
        bool? previous = null;
        for (var t = Wire.Monday.AddHours(10); t < Wire.Monday.AddDays(20); t = t.AddMinutes(1))
        {
            if (t.Hour is < 10 or >= 14)
            {
                previous = null;
                continue;
            }

            Assert.Equal(0.45, simulation.Handler.GetOverloadProbability(SimulatedModels.NanoBanana2, t));
            var failed = (await simulation.SendAtAsync(t)).Status == HttpStatusCode.ServiceUnavailable;
            calls++;
            failures += failed ? 1 : 0;
            if (previous is { } p)
            {
                pairs++;
                agreements += p == failed ? 1 : 0;
            }

            previous = failed;
        }

        // 4,800 requests: the share is within 2 points of 0.45, and neighbours agree as independent flips do (~50%).
        Assert.InRange(failures / (double)calls, 0.43, 0.47);
        Assert.InRange(agreements / (double)pairs, 0.46, 0.54);
    }

    [Fact]
    public void Shared_ShareThatProsTableCannotHold_IsRefusedNamingTheOption()
    {
        var options = new SimulatedGeminiOptions { World = SimulatedWorld.Shared, SharedOverloadShare = 0.5 };

        var error = Assert.Throws<ArgumentException>(() => new SimulatedGeminiHandler(options, TimeProvider.System));

        Assert.Contains("SharedOverloadShare is 0.5", error.Message, StringComparison.Ordinal);
        Assert.Contains(SimulatedModels.NanoBananaPro, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Episodes_IsTheDefaultWorld_AndKeepsItsTimeline()
    {
        using var byDefault = new SimulatedGeminiHandler(new SimulatedGeminiOptions { Seed = 7 }, TimeProvider.System);
        using var named = new SimulatedGeminiHandler(new SimulatedGeminiOptions { Seed = 7, World = SimulatedWorld.Episodes }, TimeProvider.System);

        Assert.Equal(SimulatedWorld.Episodes, new SimulatedGeminiOptions().World);
        Assert.Equal(
            byDefault.GetOverloadEpisodes(SimulatedModels.NanoBanana2, Wire.Monday, Wire.Monday.AddDays(5)),
            named.GetOverloadEpisodes(SimulatedModels.NanoBanana2, Wire.Monday, Wire.Monday.AddDays(5)));
    }

    private const int Seeds = 10;

    /// <summary>The mean chance of a 503 over each band of hours, one instant a minute for <see cref="Days"/> days.</summary>
    private static double[] BandShares(SimulatedGeminiOptions options, string model, (int From, int To)[] bands)
    {
        using var handler = new SimulatedGeminiHandler(options, TimeProvider.System);
        var sums = new double[24];
        var counts = new int[24];
        for (var t = Wire.Monday; t < Wire.Monday.AddDays(Days); t = t.AddMinutes(1))
        {
            sums[t.Hour] += handler.GetOverloadProbability(model, t);
            counts[t.Hour]++;
        }

        return [.. bands.Select(b => Enumerable.Range(b.From, b.To - b.From).Sum(h => sums[h]) / Enumerable.Range(b.From, b.To - b.From).Sum(h => counts[h]))];
    }
}
