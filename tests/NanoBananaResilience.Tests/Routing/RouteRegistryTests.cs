using Microsoft.Extensions.Logging.Abstractions;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Routing;

/// <summary>
/// The engine's routes: one per model per gateway that serves it, built once and shared, bounded by the model keys;
/// the order a call tries a model's gateways in; and whether a model has any route it may try now.
/// </summary>
public class RouteRegistryTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    /// <summary>11:00 UTC: inside the default peak window.</summary>
    private static readonly DateTimeOffset Peak = new(2026, 12, 3, 11, 0, 0, TimeSpan.Zero);

    private static NanoBananaOptions SingleAddress() => Harness.ValidOptions();

    private static NanoBananaOptions Gateways(params (string Name, Action<GatewayOptions>? Configure)[] gateways)
    {
        var options = new NanoBananaOptions();
        foreach (var (name, configure) in gateways)
        {
            var gateway = new GatewayOptions { Name = name, BaseAddress = new Uri($"https://{name}.test/v1/"), ApiKey = $"sk-{name}-0123456789" };
            configure?.Invoke(gateway);
            options.Gateways.Add(gateway);
        }

        return options;
    }

    private static NanoBananaOptions PrimaryAndBackup(Action<GatewayOptions>? primary = null, Action<GatewayOptions>? backup = null)
        => Gateways(("primary", primary), ("backup", backup));

    private static RouteRegistry Registry(NanoBananaOptions options, Func<double>? random = null, INanoBananaSharedState? shared = null)
    {
        Assert.Empty(NanoBananaOptionsValidator.Collect(options));
        return Registries.Create(options, options.GetEffectiveModels(), random, shared);
    }

    private static ModelOptions Model(string id) => new() { Id = id, MaxAttempts = 1 };

    private static string[] Names(IEnumerable<Route> routes) => [.. routes.Select(r => r.ToString())];

    [Fact]
    public void Gateways_SingleAddressForm_OneUnnamedGatewayWhoseModelsSpeakForIt()
    {
        var registry = Registry(SingleAddress());

        var gateway = Assert.Single(registry.Gateways);
        Assert.Null(gateway.Name);
        Assert.Null(gateway.Reachability);
        Assert.Equal([Nb2, Pro], Names(registry.All));
        Assert.Equal(Nb2, registry.RoutesOf(Nb2)[0].Health.ModelId);
    }

    [Fact]
    public void Gateways_OneNamedGateway_NamedButWithoutReachabilityOfItsOwn()
    {
        var registry = Registry(Gateways(("primary", null)));

        var gateway = Assert.Single(registry.Gateways);
        Assert.Equal("primary", gateway.Name);
        Assert.Null(gateway.Reachability);
    }

    [Fact]
    public void Gateways_Several_EachIsNamedAndJudgedOnItsOwn()
    {
        var registry = Registry(PrimaryAndBackup());

        Assert.Equal(["primary", "backup"], registry.Gateways.Select(g => g.Name));
        Assert.Equal(["gateway primary", "gateway backup"], registry.Gateways.Select(g => g.Reachability!.ModelId));
        Assert.Same(registry.Gateways[0].Reachability, registry.RoutesOf(Nb2)[0].Gateway.Reachability);
    }

    [Fact]
    public void All_RightAfterConstruction_HoldsEveryChainModelOnEveryGatewayInOrder()
    {
        var registry = Registry(PrimaryAndBackup());

        Assert.Equal(
            [$"{Pro}@backup", $"{Pro}@primary", $"{Nb2}@backup", $"{Nb2}@primary"],
            Names(registry.All).Order(StringComparer.Ordinal));
        Assert.Equal([$"{Nb2}@primary", $"{Nb2}@backup"], Names(registry.RoutesOf(Nb2)));
        Assert.Equal([$"{Nb2}@primary", $"{Nb2}@backup"], registry.RoutesOf(Nb2).Select(r => r.Health.ModelId));
    }

    [Fact]
    public void RoutesOf_AskedAgain_TheSameRoutes_SoHealthSeesEveryCall()
    {
        var registry = Registry(PrimaryAndBackup());

        Assert.Same(registry.RoutesOf(Nb2), registry.RoutesOf(Nb2));
        Assert.Same(registry.RoutesOf(Nb2), registry.RoutesOf(Model(Nb2)));
        Assert.Same(registry.RoutesOf("named-per-call"), registry.RoutesOf("named-per-call"));
        Assert.Contains("named-per-call@backup", Names(registry.All));
    }

    [Fact]
    public void RoutesOf_ById_ChainModelKeepsItsOptions_ModelNamedPerCallIsTriedOncePerGateway()
    {
        var registry = Registry(SingleAddress());

        var chain = Assert.Single(registry.RoutesOf(Nb2));
        var perCall = Assert.Single(registry.RoutesOf("named-per-call"));

        Assert.Equal((Nb2, 3), (chain.ModelId, chain.Model.MaxAttempts));
        Assert.Equal(("named-per-call", 1), (perCall.ModelId, perCall.Model.MaxAttempts));
    }

    [Fact]
    public void RoutesOf_GatewayListsItsModels_ModelsGoOnlyThroughTheGatewaysThatServeThem()
    {
        var registry = Registry(PrimaryAndBackup(primary: g => g.Models.Add(Pro)));

        Assert.Equal([$"{Nb2}@backup"], Names(registry.RoutesOf(Nb2)));
        Assert.Equal([$"{Pro}@primary", $"{Pro}@backup"], Names(registry.RoutesOf(Pro)));
        Assert.Equal(["named-per-call@backup"], Names(registry.RoutesOf("named-per-call")));
    }

    [Fact]
    public void RoutesOf_EveryGatewayListsItsModels_AModelNamedPerCallGoesThroughTheFirst()
    {
        var registry = Registry(PrimaryAndBackup(primary: g => g.Models.Add(Nb2), backup: g => g.Models.Add(Pro)));

        Assert.Equal(["named-per-call@primary"], Names(registry.RoutesOf("named-per-call")));
    }

    [Fact]
    public void RoutesOf_EachRouteIsPricedAndSpelledAsItsGatewayDoes()
    {
        var options = PrimaryAndBackup(backup: g =>
        {
            g.PricePerImageUsd[Nb2] = 0.07m;
            g.ModelIds[Nb2] = "google/nano-banana-2";
        });
        options.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 3, PricePerImageUsd = 0.05m });
        var registry = Registry(options);

        var routes = registry.RoutesOf(Nb2);

        Assert.Equal((0.05m, Nb2), (routes[0].Model.PricePerImageUsd, routes[0].WireId));
        Assert.Equal((0.07m, "google/nano-banana-2"), (routes[1].Model.PricePerImageUsd, routes[1].WireId));
    }

    [Fact]
    public void RoutesOf_PastTheKeyCap_ThrowawayRoutesThatJoinNeitherTheTableNorTheFleet()
    {
        var fleet = new HealthOnlyFleet();
        var registry = Registry(SingleAddress(), shared: fleet);
        for (var i = registry.Keys.Count; i < ModelKeys.Capacity - 1; i++)
        {
            _ = registry.RoutesOf($"per-call-{i}");
        }

        var first = registry.RoutesOf("one-too-many");
        var again = registry.RoutesOf("one-too-many");

        Assert.NotSame(first, again);
        Assert.Equal("one-too-many", first[0].ModelId);
        Assert.Equal("one-too-many", first[0].Health.ModelId);
        Assert.DoesNotContain("one-too-many", Names(registry.All));
        Assert.DoesNotContain("one-too-many", fleet.Joined);
        Assert.Contains($"per-call-{ModelKeys.Capacity - 2}", fleet.Joined);
        Assert.Equal(ModelKeys.Capacity - 1, registry.All.Count());
    }

    [Fact]
    public void Order_Ordered_TheConfiguredOrderWhateverTheDraw()
    {
        var draws = 0;
        var registry = Registry(PrimaryAndBackup(backup: g => g.Weight = 50), () => { draws++; return 0.99; });

        Assert.Equal([$"{Nb2}@primary", $"{Nb2}@backup"], Names(registry.Order(Model(Nb2))));
        Assert.Equal(0, draws);
    }

    [Theory]
    [InlineData(0.0, "primary")]
    [InlineData(0.2499, "primary")]
    [InlineData(0.25, "backup")]
    [InlineData(0.9, "backup")]
    public void Order_Weighted_TheFirstGatewayIsDrawnByWeightAndTheOtherFollows(double draw, string first)
    {
        var options = PrimaryAndBackup(backup: g => g.Weight = 3);
        options.GatewaySelection = GatewaySelection.Weighted;
        var registry = Registry(options, () => draw);

        var order = registry.Order(Model(Nb2));

        var second = first == "primary" ? "backup" : "primary";
        Assert.Equal([$"{Nb2}@{first}", $"{Nb2}@{second}"], Names(order));
    }

    [Fact]
    public void Order_Weighted_EachLaterPlaceIsDrawnAmongTheGatewaysLeft()
    {
        var options = Gateways(("a", null), ("b", null), ("c", g => g.Weight = 2));
        options.GatewaySelection = GatewaySelection.Weighted;

        // A draw of a half: c of the four shares [2, 4), then b of the two left [1, 2), then a.
        var registry = Registry(options, () => 0.5);

        Assert.Equal([$"{Nb2}@c", $"{Nb2}@b", $"{Nb2}@a"], Names(registry.Order(Model(Nb2))));
    }

    [Fact]
    public void Order_Weighted_ASourceAtItsTopEnd_StillOrdersEveryRouteOnce()
    {
        // Retry:Randomizer is the caller's function and may return 1 itself: the draw then lands on the end of the last share.
        var options = PrimaryAndBackup();
        options.GatewaySelection = GatewaySelection.Weighted;
        var registry = Registry(options, () => 1.0);

        Assert.Equal([$"{Nb2}@backup", $"{Nb2}@primary"], Names(registry.Order(Model(Nb2))));
    }

    [Fact]
    public void Order_Weighted_OneGatewayServesTheModel_ItsRouteWithoutADraw()
    {
        var draws = 0;
        var options = PrimaryAndBackup(primary: g => g.Models.Add(Pro));
        options.GatewaySelection = GatewaySelection.Weighted;
        var registry = Registry(options, () => { draws++; return 0.0; });

        Assert.Equal([$"{Nb2}@backup"], Names(registry.Order(Model(Nb2))));
        Assert.Equal(0, draws);
    }

    [Fact]
    public void IsResting_OnlyWhenEveryRouteOfTheModelRests()
    {
        var registry = Registry(PrimaryAndBackup());
        var routes = registry.RoutesOf(Nb2);
        Assert.False(registry.IsResting(Nb2, T0));

        routes[0].Health.CoolDown(T0 + TimeSpan.FromSeconds(30));
        Assert.False(registry.IsResting(Nb2, T0));

        routes[1].Health.Opened(T0, T0 + TimeSpan.FromSeconds(5));
        Assert.True(registry.IsResting(Nb2, T0));
        Assert.False(registry.IsResting(Pro, T0));
        Assert.False(registry.IsResting(Nb2, T0 + TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Hours_ClockMode_NoneKept()
        => Assert.All(Registry(SingleAddress()).All, r => Assert.Null(r.Hours));

    [Fact]
    public void Hours_AdaptiveMode_EachRouteLearnsOnItsOwnFromTheClocksPrior()
    {
        var options = PrimaryAndBackup();
        options.PeakHours.Mode = PeakHoursMode.Adaptive;
        var registry = Registry(options);
        var nb2 = registry.RoutesOf(Nb2);
        var pro = registry.RoutesOf(Pro);

        // The chain's first model is the one the clock demotes at peak; a model named per call is not.
        Assert.Equal(AdaptiveChainOrder.PeakPrior, nb2[0].Hours!.Mean(Peak), 10);
        Assert.Equal(AdaptiveChainOrder.UsualPrior, nb2[0].Hours!.Mean(T0), 10);
        Assert.Equal(AdaptiveChainOrder.UsualPrior, pro[0].Hours!.Mean(Peak), 10);
        Assert.Equal(AdaptiveChainOrder.UsualPrior, registry.RoutesOf("named-per-call")[0].Hours!.Mean(Peak), 10);

        nb2[0].Hours!.Record(AttemptOutcome.Success, Peak);
        Assert.NotEqual(nb2[0].Hours!.Mean(Peak), nb2[1].Hours!.Mean(Peak));
    }

    [Fact]
    public async Task Build_OneGatewayServesTheModel_AConnectionFailureIsRetriedThere()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Throw(new HttpRequestException("Connection refused")), Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(2, h.Handler.Count(Nb2));
    }

    [Fact]
    public async Task Build_AnotherGatewayServesTheModel_AConnectionFailureMovesOnToIt()
    {
        using var g = TwoGateways.Create();
        g.Primary.On(Nb2, Replies.Throw(new HttpRequestException("Connection refused")), Replies.Image());
        g.Backup.On(Nb2, Replies.Image());

        var result = await g.GenerateAsync();

        Assert.Equal((Nb2, "backup"), (result.Model, result.Gateway));
        Assert.Equal(1, g.Primary.Count(Nb2));
    }

    [Fact]
    public async Task Build_TheOnlyGatewayThatServesTheModel_AConnectionFailureIsRetriedThere()
    {
        using var g = TwoGateways.Create(o => o.Gateways[0].Models.Add(Pro));
        g.Backup.On(Nb2, Replies.Throw(new HttpRequestException("Connection refused")), Replies.Image());

        var result = await g.GenerateAsync();

        Assert.Equal((Nb2, "backup"), (result.Model, result.Gateway));
        Assert.Equal(2, g.Backup.Count(Nb2));
    }

    [Fact]
    public async Task Build_ThroughDownPipeline_AStrandedCallSpendsADownModelsAttemptsDespiteTheOutage()
    {
        using var h = Harness.Create(o =>
        {
            o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 3 });
            o.CircuitBreaker.StrandedCallsTryOpenModels = true;
            o.CircuitBreaker.WaitForReopen = false;
            o.CircuitBreaker.MinimumThroughput = 3;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(1);
        });
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Image());
        await h.FailAsync(); // three 503s judge NB2 down

        // The only model is down and its probe a minute away: the call spends its attempts through the outage, and
        // the outage does not cut them short (a server's cooldown would).
        var result = await h.GenerateAsync();

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(3 + 3, h.Handler.Count(Nb2));
    }

    [Fact]
    public void Routes_LearnTheirModelsHours_AGatewaysReachabilityDoesNot()
    {
        var registry = Registry(PrimaryAndBackup());
        var route = registry.RoutesOf(Nb2)[0];
        var reachability = route.Gateway.Reachability!;
        var at = T0;
        foreach (var health in new[] { route.Health, reachability })
        {
            for (var i = 0; i < 60; i++)
            {
                at += TimeSpan.FromSeconds(10);
                health.Finished(health.Sending(at, probe: false), AttemptOutcome.Success, TimeSpan.FromSeconds(10), at);
            }
        }

        // An hour without a failure: the route's health judges an outage after two failures; the gateway's, which does
        // not learn, after MinimumThroughput.
        var failures = new[] { route.Health, reachability }.Select(health =>
        {
            var count = 0;
            while (!health.IsDown && count < 20)
            {
                health.Finished(health.Sending(at, probe: false), AttemptOutcome.Overloaded, TimeSpan.FromSeconds(1), at += TimeSpan.FromSeconds(1));
                count++;
            }

            return count;
        }).ToList();

        Assert.Equal([2, new CircuitBreakerOptions().MinimumThroughput], failures);
    }
}
