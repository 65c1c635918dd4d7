using System.Diagnostics.Metrics;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Routing;

/// <summary>
/// Several gateways for the same models: each model is tried on its gateways before the chain moves on, every route
/// keeps its own health, and what belongs to a gateway (its key, its reachability) rests that gateway alone.
/// </summary>
public class GatewayRoutingTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    [Fact]
    public async Task GenerateAsync_FirstGatewayAnswers_ItServesAndTheResultNamesIt()
    {
        using var g = TwoGateways.Create();
        g.Primary.On(Nb2, Replies.Image());

        var result = await g.GenerateAsync();

        Assert.Equal((Nb2, "primary"), (result.Model, result.Gateway));
        Assert.Equal([("primary", AttemptOutcome.Success)], result.Attempts.Select(a => (a.Gateway, a.Outcome)));
        Assert.Equal(0, g.Backup.Total);
        Assert.Equal(TwoGateways.PrimaryKey, g.Primary.Requests[0].Authorization!.Parameter);
    }

    [Fact]
    public async Task GenerateAsync_OneGatewayAnswers503ToEverything_EveryCallSucceedsThroughTheOtherAndTheDeadOneStopsAfterItsTrip()
    {
        using var g = TwoGateways.Create();
        g.Primary.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Overloaded());
        g.Backup.On(Nb2, Replies.Image()).On(Pro, Replies.Image());
        const int calls = 30;
        var sentToPrimaryBefore = new List<int>();

        for (var i = 0; i < calls; i++)
        {
            sentToPrimaryBefore.Add(g.Primary.Total);
            var result = await g.GenerateAsync();
            Assert.Equal((Nb2, "backup"), (result.Model, result.Gateway));
            g.Time.Advance(TimeSpan.FromSeconds(1));
        }

        // Three attempts per call on NB2 through the primary until eight failures judge that route down (the third
        // call's second attempt); then only its probes: one per slot, 5, 10, 15 and 22.5 s after the trip.
        var afterTrip = g.Primary.Total - sentToPrimaryBefore[3];
        TestContext.Current.TestOutputHelper?.WriteLine($"primary: {g.Primary.Total} requests over {calls} calls ({afterTrip} after its trip); backup: {g.Backup.Total}");
        Assert.Equal(8, sentToPrimaryBefore[3]);
        Assert.InRange(afterTrip, 1, 4);
        Assert.Equal(0, g.Primary.Count(Pro));
        Assert.Equal(calls, g.Backup.Total);
        var status = g.Engine.GetModelStatuses().Single(s => s.Model == Nb2 && s.Gateway == "primary");
        Assert.Equal(ModelBreakerState.Open, status.BreakerState);
        Assert.Equal(ModelBreakerState.Closed, g.Engine.GetModelStatuses().Single(s => s.Model == Nb2 && s.Gateway == "backup").BreakerState);
    }

    [Fact]
    public async Task GenerateAsync_OneGatewayRefusesTheKey_TheCallSucceedsThroughTheOtherAndTheRefusingGatewayRests()
    {
        using var g = TwoGateways.Create();
        g.Primary.On(Nb2, Replies.Json(401, """{"error":{"message":"Invalid API key","code":401}}""")).On(Pro, Replies.Image());
        g.Backup.On(Nb2, Replies.Image());

        var first = await g.GenerateAsync();
        var second = await g.GenerateAsync();

        Assert.Equal("backup", first.Gateway);
        Assert.Equal([("primary", AttemptOutcome.Unauthorized, AttemptDecision.NextModel), ("backup", AttemptOutcome.Success, AttemptDecision.Return)], first.Attempts.Select(a => (a.Gateway, a.Outcome, a.Decision)));
        Assert.Contains("refused the key", first.Attempts[0].Detail, StringComparison.Ordinal);

        // Every route through the refusing gateway rests, Pro's included: one request reached it in all.
        Assert.Equal(1, g.Primary.Total);
        Assert.Equal(("primary", AttemptOutcome.CircuitOpen), (second.Attempts[0].Gateway, second.Attempts[0].Outcome));
        Assert.Contains("its gateway is resting", second.Attempts[0].Detail, StringComparison.Ordinal);
        Assert.All(g.Engine.GetModelStatuses().Where(s => s.Gateway == "primary"), s => Assert.NotNull(s.RestingUntil));
    }

    [Fact]
    public async Task GenerateAsync_EveryGatewayRefusesTheKey_FailsUnauthorizedNamingTheLastGateway()
    {
        using var g = TwoGateways.Create();
        g.Primary.On(Nb2, Replies.Json(401, """{"error":{"message":"bad key"}}"""));
        g.Backup.On(Nb2, Replies.Json(401, """{"error":{"message":"bad key"}}"""));

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => g.GenerateAsync());

        Assert.Equal(AttemptOutcome.Unauthorized, error.Outcome);
        Assert.Equal("backup", error.Gateway);
        Assert.Equal((1, 1), (g.Primary.Total, g.Backup.Total));
        Assert.DoesNotContain(TwoGateways.PrimaryKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TwoGateways.BackupKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_GatewaySpellsTheModelItsOwnWay_TheWireCarriesItsIdAndTheTrailTheChainsId()
    {
        using var g = TwoGateways.Create(o => o.Gateways[0].ModelIds[Nb2] = "google/" + Nb2);
        g.Primary.On("google/" + Nb2, Replies.Image());

        var result = await g.GenerateAsync();

        Assert.Equal("google/" + Nb2, g.Primary.Requests[0].Model);
        Assert.Equal((Nb2, "primary"), (result.Model, result.Gateway));
    }

    [Fact]
    public async Task GenerateAsync_GatewayPricesTheModel_TheResultAndTheCostMeterUseThatRoutesPrice()
    {
        using var g = TwoGateways.Create(o => o.Gateways[1].PricePerImageUsd[Nb2] = 0.05m);
        g.Primary.On(Nb2, Replies.Image());
        g.Backup.On(Nb2, Replies.Image());

        var viaPrimary = await g.GenerateAsync();
        g.Primary.On(Nb2, Replies.Json(401, """{"error":{"message":"bad key"}}"""));
        var viaBackup = await g.GenerateAsync();

        Assert.Equal((0.067m, "primary"), (viaPrimary.EstimatedCostUsd, viaPrimary.Gateway));
        Assert.Equal((0.05m, "backup"), (viaBackup.EstimatedCostUsd, viaBackup.Gateway));
        var totals = g.Client.Costs.GetTotals().OrderBy(t => t.Gateway).ToList();
        Assert.Equal([("backup", 1L, 0.05m), ("primary", 1L, 0.067m)], totals.Select(t => (t.Gateway!, t.Calls, t.CostUsd)));
        Assert.Contains(" via backup", totals[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_GatewayServesOnlyPro_Nb2GoesThroughTheOtherOnly()
    {
        using var g = TwoGateways.Create(o => o.Gateways[0].Models.Add(Pro));
        g.Backup.On(Nb2, Replies.Overloaded());
        g.Primary.On(Pro, Replies.Image());

        var result = await g.GenerateAsync();

        Assert.Equal((Pro, "primary"), (result.Model, result.Gateway));
        Assert.Equal(0, g.Primary.Count(Nb2));
        Assert.Equal(3, g.Backup.Count(Nb2));
        Assert.Equal(3, g.Engine.GetModelStatuses().Count);
    }

    [Fact]
    public async Task GenerateAsync_Weighted_TheFirstGatewayIsDrawnByWeight()
    {
        var draws = new Queue<double>();
        using var g = TwoGateways.Create(
            o =>
            {
                o.GatewaySelection = GatewaySelection.Weighted;
                o.Gateways[0].Weight = 3;
            },
            () => draws.Count > 0 ? draws.Dequeue() : 0.0);
        g.Primary.On(Nb2, Replies.Image());
        g.Backup.On(Nb2, Replies.Image());

        // A draw below 3/4 of the total weight picks the primary; above, the backup.
        draws.Enqueue(0.74);
        var low = await g.GenerateAsync();
        draws.Enqueue(0.76);
        var high = await g.GenerateAsync();

        Assert.Equal(("primary", "backup"), (low.Gateway, high.Gateway));
    }

    [Fact]
    public async Task GenerateAsync_WeightedThreeToOne_SpreadsFirstTriesInThatProportion()
    {
        var random = new Random(17);
        using var g = TwoGateways.Create(
            o =>
            {
                o.GatewaySelection = GatewaySelection.Weighted;
                o.Gateways[0].Weight = 3;
            },
            random.NextDouble);
        g.Primary.On(Nb2, Replies.Image());
        g.Backup.On(Nb2, Replies.Image());
        const int calls = 2_000;

        for (var i = 0; i < calls; i++)
        {
            await g.Client.GenerateAsync("x", TestContext.Current.CancellationToken);
        }

        // 1,500 expected; the binomial standard deviation is about 19, so ±100 is over five of them.
        Assert.InRange(g.Primary.Total, 1_400, 1_600);
        Assert.Equal(calls, g.Primary.Total + g.Backup.Total);
    }

    [Fact]
    public async Task GenerateAsync_GatewayEchoesItsKeyInAnError_NeitherKeyReachesTheTrailOrTheException()
    {
        using var g = TwoGateways.Create();
        g.Primary.On(Nb2, Replies.Json(500, $$$"""{"error":{"message":"upstream said: key {{{TwoGateways.PrimaryKey}}} rejected"}}"""));
        g.Backup.On(Nb2, Replies.Json(500, $$$"""{"error":{"message":"upstream said: key {{{TwoGateways.BackupKey}}} rejected"}}"""));
        g.Primary.On(Pro, Replies.Json(500, "{}"));
        g.Backup.On(Pro, Replies.Json(500, "{}"));

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => g.GenerateAsync());

        var text = error.ToString() + string.Join('\n', error.Attempts) + error.BodyExcerpt;
        Assert.DoesNotContain(TwoGateways.PrimaryKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TwoGateways.BackupKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TwoGateways.BackupKey, g.Options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_NamedGateways_AttemptsAndImagesAreTaggedWithTheGateway()
    {
        var tags = new List<(string Instrument, string? Gateway)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NanoBananaDiagnostics.SourceName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, measured, _) =>
        {
            string? gateway = null;
            foreach (var tag in measured)
            {
                gateway = tag.Key == "nanobanana.gateway" ? tag.Value as string : gateway;
            }

            lock (tags)
            {
                tags.Add((instrument.Name, gateway));
            }
        });
        listener.Start();
        using var g = TwoGateways.Create();
        g.Primary.On(Nb2, Replies.Json(401, "{}"));
        g.Backup.On(Nb2, Replies.Image());

        await g.GenerateAsync();

        lock (tags)
        {
            Assert.Contains(("nanobanana.attempts", "primary"), tags);
            Assert.Contains(("nanobanana.attempts", "backup"), tags);
            Assert.Contains(("nanobanana.fallbacks", "primary"), tags);
            Assert.Contains(("nanobanana.images", "backup"), tags);
        }
    }
}
