using Microsoft.Extensions.Logging.Abstractions;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>
/// PeakHours:Mode = Adaptive: the clock as the prior, the order drawn from what each model's routes did in the hour,
/// directly and through the engine.
/// </summary>
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

    [Theory]
    [InlineData(11, Nb2, AdaptiveChainOrder.PeakPrior)]
    [InlineData(13, Nb2, AdaptiveChainOrder.PeakPrior)]
    [InlineData(11, Pro, AdaptiveChainOrder.UsualPrior)]
    [InlineData(9, Nb2, AdaptiveChainOrder.UsualPrior)]
    [InlineData(14, Nb2, AdaptiveChainOrder.UsualPrior)]
    public void Prior_OnlyTheChainsFirstModelInsideThePeakWindowIsDemoted(int hour, string model, double chance)
    {
        var clock = PeakWindow.From(new PeakHoursOptions());

        Assert.Equal((chance, AdaptiveChainOrder.PriorWeight), AdaptiveChainOrder.Prior(clock, Nb2, model, hour));
    }

    [Fact]
    public void Prior_AnHourIsPeakWhenItsMiddleIsInsideTheWindow()
    {
        var clock = PeakWindow.From(new PeakHoursOptions { Start = new TimeSpan(10, 45, 0), End = new TimeSpan(13, 15, 0) });

        Assert.Equal(AdaptiveChainOrder.UsualPrior, AdaptiveChainOrder.Prior(clock, Nb2, Nb2, 10).Chance);
        Assert.Equal(AdaptiveChainOrder.PeakPrior, AdaptiveChainOrder.Prior(clock, Nb2, Nb2, 11).Chance);
        Assert.Equal(AdaptiveChainOrder.UsualPrior, AdaptiveChainOrder.Prior(clock, Nb2, Nb2, 13).Chance);
    }

    [Fact]
    public void Prior_PeakHoursOff_NoHourIsDemoted()
    {
        var clock = PeakWindow.From(new PeakHoursOptions { Enabled = false });

        Assert.All(Enumerable.Range(0, 24), hour => Assert.Equal(AdaptiveChainOrder.UsualPrior, AdaptiveChainOrder.Prior(clock, Nb2, Nb2, hour).Chance));
    }

    [Fact]
    public void Order_EveryModelLikelyEnough_KeepsTheConfiguredOrderEvenWhenALaterOneIsLikelier()
    {
        var (routes, chain) = Chain(("a", 1), ("b", 1), ("c", 1));
        Learn(routes, "a", answers: 600, failures: 400);
        Learn(routes, "b", answers: 950, failures: 50);
        Learn(routes, "c", answers: 900, failures: 100);
        var order = new AdaptiveChainOrder(routes, new Random(1).NextDouble);

        for (var call = 0; call < 20; call++)
        {
            Assert.Equal(["a", "b", "c"], Ids(order.Order(chain, Harness.OffPeak)));
        }
    }

    [Fact]
    public void Order_ModelsUnlikelyToGetAnImage_FollowTheOthersLikeliestFirst()
    {
        var (routes, chain) = Chain(("a", 1), ("b", 1), ("c", 1));
        Learn(routes, "a", answers: 0, failures: 300);
        Learn(routes, "b", answers: 120, failures: 280);
        Learn(routes, "c", answers: 950, failures: 50);
        var order = new AdaptiveChainOrder(routes, new Random(2).NextDouble);

        for (var call = 0; call < 20; call++)
        {
            Assert.Equal(["c", "b", "a"], Ids(order.Order(chain, Harness.OffPeak)));
        }
    }

    [Theory]
    [InlineData(3, "a")]
    [InlineData(1, "b")]
    public void Order_AModelsAttemptsTogether_DecideWhetherItKeepsItsPlace(int attempts, string first)
    {
        // About 30% a request: one attempt gets an image in 30% of calls, three in 1 - 0.7^3 = 66%.
        var (routes, chain) = Chain(("a", attempts), ("b", 1));
        Learn(routes, "a", answers: 300, failures: 700);
        Learn(routes, "b", answers: 950, failures: 50);
        var order = new AdaptiveChainOrder(routes, new Random(3).NextDouble);

        Assert.Equal(first, order.Order(chain, Harness.OffPeak)[0].Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Order_TheModelsBestRouteSpeaksForIt(int goodRoute)
    {
        var (routes, chain) = ChainOn(gateways: 2, ("a", 1), ("b", 1));
        var a = routes.RoutesOf("a");
        Learn(a[goodRoute], answers: 950, failures: 50);
        Learn(a[1 - goodRoute], answers: 0, failures: 300);
        var order = new AdaptiveChainOrder(routes, new Random(4).NextDouble);

        Assert.Equal(["a", "b"], Ids(order.Order(chain, Harness.OffPeak)));
    }

    [Fact]
    public void Order_AChanceOfExactlyAHalf_KeepsItsPlace()
    {
        // The prior's 9 answers and 1 failure, and 8 failures: an even belief. With a constant source both of the
        // Beta draw's gamma variates come out equal, so the draw is exactly one half.
        var (routes, chain) = Chain(("a", 1), ("b", 1));
        Learn(routes, "a", answers: 0, failures: 8);
        Assert.Equal(0.5, routes.RoutesOf("a")[0].Hours!.Mean(Harness.OffPeak));
        var order = new AdaptiveChainOrder(routes, () => 0.0);

        Assert.Equal(["a", "b"], Ids(order.Order(chain, Harness.OffPeak)));
    }

    /// <summary>A chain of models (id, attempts) on one or more gateways, in adaptive mode, 02:00 UTC.</summary>
    private static (RouteRegistry Routes, IReadOnlyList<ModelOptions> Chain) ChainOn(int gateways, params (string Id, int Attempts)[] models)
    {
        var options = new NanoBananaOptions();
        for (var i = 0; i < gateways; i++)
        {
            options.Gateways.Add(new GatewayOptions { Name = $"g{i}", BaseAddress = new Uri($"https://g{i}.test/v1/"), ApiKey = $"sk-g{i}-0123456789" });
        }

        foreach (var (id, attempts) in models)
        {
            options.Models.Add(new ModelOptions { Id = id, MaxAttempts = attempts });
        }

        options.PeakHours.Mode = PeakHoursMode.Adaptive;
        var chain = options.GetEffectiveModels();
        return (Registries.Create(options, chain), chain);
    }

    private static (RouteRegistry Routes, IReadOnlyList<ModelOptions> Chain) Chain(params (string Id, int Attempts)[] models) => ChainOn(1, models);

    private static void Learn(RouteRegistry routes, string model, int answers, int failures) => Learn(Assert.Single(routes.RoutesOf(model)), answers, failures);

    private static void Learn(Route route, int answers, int failures)
    {
        for (var i = 0; i < answers; i++)
        {
            route.Hours!.Record(AttemptOutcome.Success, Harness.OffPeak);
        }

        for (var i = 0; i < failures; i++)
        {
            route.Hours!.Record(AttemptOutcome.Overloaded, Harness.OffPeak);
        }
    }

    private static string[] Ids(IEnumerable<ModelOptions> models) => [.. models.Select(m => m.Id)];
}
