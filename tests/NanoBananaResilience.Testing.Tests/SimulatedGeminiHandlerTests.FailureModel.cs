using System.Globalization;
using System.Net;
using NanoBananaResilience.Testing.Tests.TestSupport;

namespace NanoBananaResilience.Testing.Tests;

/// <summary>The failure model: calibration to the hourly table, correlation in time, episode lengths, determinism.</summary>
public sealed partial class SimulatedGeminiHandlerTests
{
    private const int CalibrationDays = 40;

    [Theory]
    [InlineData(SimulatedModels.NanoBanana2, 0, 6, 0.00, 0.12)]
    [InlineData(SimulatedModels.NanoBanana2, 6, 10, 0.08, 0.24)]
    [InlineData(SimulatedModels.NanoBanana2, 10, 14, 0.35, 0.55)]
    [InlineData(SimulatedModels.NanoBanana2, 14, 18, 0.16, 0.34)]
    [InlineData(SimulatedModels.NanoBanana2, 18, 24, 0.04, 0.17)]
    [InlineData(SimulatedModels.NanoBananaPro, 10, 14, 0.07, 0.18)]
    [InlineData(SimulatedModels.NanoBananaPro, 14, 24, 0.02, 0.12)]
    [InlineData(SimulatedModels.NanoBananaPro, 0, 10, 0.02, 0.12)]
    public async Task SendAsync_ManySimulatedDays_OverloadShareMatchesHourlyTable(string model, int fromHour, int toHour, double low, double high)
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { Seed = 7 });
        int calls = 0, overloaded = 0;
        for (var day = 0; day < CalibrationDays; day++)
        {
            // One call every 3 minutes, offset by a day-dependent few seconds so calls do not land on the same phase.
            for (var t = Wire.Monday.AddDays(day).AddHours(fromHour).AddSeconds(day * 7); t < Wire.Monday.AddDays(day).AddHours(toHour); t = t.AddMinutes(3))
            {
                var (status, _) = await simulation.SendAtAsync(t, model);
                calls++;
                overloaded += status == HttpStatusCode.ServiceUnavailable ? 1 : 0;
            }
        }

        var share = overloaded / (double)calls;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model} {fromHour:00}-{toHour:00} UTC: {overloaded}/{calls} = {share:0.000}"));
        Assert.InRange(share, low, high);
        Assert.Equal(calls, simulation.Handler.Statistics.GetCount(model));
        Assert.Equal(overloaded, simulation.Handler.Statistics.GetCount(model, SimulatedOutcome.Overloaded));
    }

    [Fact]
    public async Task SendAsync_CallsOneMinuteApart_OutcomesAreCorrelatedInTime()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { Seed = 11 });
        int pairs = 0, agreements = 0, overloaded = 0;
        bool? previous = null;
        for (var day = 0; day < 10; day++)
        {
            previous = null;
            for (var t = Wire.Monday.AddDays(day).AddHours(10); t < Wire.Monday.AddDays(day).AddHours(14); t = t.AddMinutes(1))
            {
                var failed = (await simulation.SendAtAsync(t)).Status == HttpStatusCode.ServiceUnavailable;
                overloaded += failed ? 1 : 0;
                if (previous is { } p)
                {
                    pairs++;
                    agreements += p == failed ? 1 : 0;
                }

                previous = failed;
            }
        }

        var share = overloaded / (double)(pairs + 10);
        var independentAgreement = (share * share) + ((1 - share) * (1 - share));
        var agreement = agreements / (double)pairs;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agreement {agreement:0.000}, independent flips would give {independentAgreement:0.000} (share {share:0.000})"));

        // Independent coin flips at ~45% agree about half the time; episodes lasting tens of minutes make neighbours agree almost always.
        Assert.True(agreement > 0.9, $"Consecutive calls agreed {agreement:P1} of the time.");
        Assert.True(agreement > independentAgreement + 0.3, $"Agreement {agreement:P1} is not far above independent flips ({independentAgreement:P1}).");
    }

    [Fact]
    public void GetOverloadEpisodes_SixtyDays_DurationsFollowTheSeedDistribution()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { Seed = 3 });
        var episodes = simulation.Handler.GetOverloadEpisodes(SimulatedModels.NanoBanana2, Wire.Monday, Wire.Monday.AddDays(60));

        var within1h = episodes.Count(e => e.Duration <= TimeSpan.FromHours(1)) / (double)episodes.Count;
        var within2h = episodes.Count(e => e.Duration <= TimeSpan.FromHours(2)) / (double)episodes.Count;
        var over4h = episodes.Count(e => e.Duration > TimeSpan.FromHours(4));
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{episodes.Count} episodes: {within1h:P1} within 1 h, {within2h:P1} within 2 h, {over4h} over 4 h"));

        Assert.InRange(episodes.Count, 150, 600);
        Assert.InRange(within1h, 0.62, 0.78);
        Assert.InRange(within2h, 0.84, 0.95);
        Assert.InRange(over4h, 1, episodes.Count / 10);
        Assert.All(episodes.Zip(episodes.Skip(1)), pair => Assert.True(pair.First.End < pair.Second.Start, "Episodes must not overlap."));
    }

    [Fact]
    public void IsOverloaded_InsideAndOutsideAnEpisode_AgreesWithTheTimeline()
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { Seed = 5 });
        var episode = simulation.Handler.GetOverloadEpisodes(SimulatedModels.NanoBanana2, Wire.Monday.AddHours(10), Wire.Monday.AddHours(14))[0];

        Assert.True(simulation.Handler.IsOverloaded(SimulatedModels.NanoBanana2, episode.Start));
        Assert.True(simulation.Handler.IsOverloaded("google/" + SimulatedModels.NanoBanana2, episode.Start + (episode.Duration / 2)));
        Assert.False(simulation.Handler.IsOverloaded(SimulatedModels.NanoBanana2, episode.End));
        Assert.False(simulation.Handler.IsOverloaded(SimulatedModels.NanoBanana2, episode.Start - TimeSpan.FromTicks(1)));
    }

    [Fact]
    public async Task SendAsync_SameSeedSameTimes_IdenticalOutcomeSequence()
    {
        var first = await OutcomeSequenceAsync(seed: 42);
        var second = await OutcomeSequenceAsync(seed: 42);

        Assert.Equal(first, second);
        Assert.Contains(first, o => o.StartsWith("Overloaded", StringComparison.Ordinal));
        Assert.Contains(first, o => o.StartsWith("Success", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_DifferentSeeds_DifferentOutcomeSequences()
    {
        var first = await OutcomeSequenceAsync(seed: 42);
        var second = await OutcomeSequenceAsync(seed: 43);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void GetOverloadEpisodes_SameSeedInDifferentHandlers_SameWorld()
    {
        using var first = new Simulation(new SimulatedGeminiOptions { Seed = 9 });
        using var second = new Simulation(new SimulatedGeminiOptions { Seed = 9 });
        using var other = new Simulation(new SimulatedGeminiOptions { Seed = 10 });

        // Asked in a different order: the world must not depend on which day was generated first.
        var laterFirst = second.Handler.GetOverloadEpisodes(SimulatedModels.NanoBananaPro, Wire.Monday.AddDays(3), Wire.Monday.AddDays(5));
        var all = first.Handler.GetOverloadEpisodes(SimulatedModels.NanoBananaPro, Wire.Monday, Wire.Monday.AddDays(5));

        Assert.NotEmpty(laterFirst);
        Assert.Equal(laterFirst, all.Where(e => e.End > Wire.Monday.AddDays(3)));
        Assert.NotEqual(all, other.Handler.GetOverloadEpisodes(SimulatedModels.NanoBananaPro, Wire.Monday, Wire.Monday.AddDays(5)));
    }

    [Fact]
    public async Task SendAsync_CustomProfile_HourlyRatesHonoured()
    {
        // Healthy all day except a total outage share of 80% from 20:00 to 22:00.
        var rates = Enumerable.Repeat(0.0, 24).ToArray();
        rates[20] = rates[21] = 0.8;
        var options = new SimulatedGeminiOptions { Seed = 1 };
        options.Models["acme-image-1"] = SimulatedModelProfile.CreateCustom(rates);
        options.Models["acme-image-1"].BackgroundFailureRate = 0;
        using var simulation = new Simulation(options);

        int peakCalls = 0, peakFailures = 0, quietFailures = 0;
        for (var day = 0; day < 20; day++)
        {
            for (var t = Wire.Monday.AddDays(day); t < Wire.Monday.AddDays(day + 1); t = t.AddMinutes(10))
            {
                var failed = (await simulation.SendAtAsync(t, "acme-image-1")).Status == HttpStatusCode.ServiceUnavailable;
                if (t.Hour is 20 or 21)
                {
                    peakCalls++;
                    peakFailures += failed ? 1 : 0;
                }
                else if (t.Hour is < 18 and >= 6)
                {
                    quietFailures += failed ? 1 : 0;
                }
            }
        }

        Assert.InRange(peakFailures / (double)peakCalls, 0.65, 0.92);
        Assert.Equal(0, quietFailures);
    }

    private static async Task<List<string>> OutcomeSequenceAsync(int seed)
    {
        using var simulation = new Simulation(new SimulatedGeminiOptions { Seed = seed, RateLimitRate = 0.05, NoImageRate = 0.05 });
        var outcomes = new List<string>();
        for (var t = Wire.Monday.AddHours(9); t < Wire.Monday.AddHours(15); t = t.AddMinutes(2))
        {
            var (status, body) = await simulation.SendAtAsync(t, t.Minute % 4 == 0 ? SimulatedModels.NanoBanana2 : SimulatedModels.NanoBananaPro, "4K");
            var latency = simulation.Handler.Statistics.GetRecentRequests()[^1].Latency;
            outcomes.Add($"{simulation.Handler.Statistics.GetRecentRequests()[^1].Outcome} {(int)status} {latency.Ticks} {body.Length}");
        }

        return outcomes;
    }
}
