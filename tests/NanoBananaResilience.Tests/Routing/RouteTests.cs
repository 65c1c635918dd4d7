using NanoBananaResilience.Tests.TestSupport;
using Polly;

namespace NanoBananaResilience.Tests.Routing;

/// <summary>
/// One model through one gateway: a call's admission combines the gateway's reachability with the model's own health,
/// hands back exactly the probe slots it took and does not use, and the route rests, waits and is named from both.
/// </summary>
public class RouteTests
{
    private const string Nb2 = Harness.Nb2;

    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ModelHealth NewHealth(string name, INanoBananaSharedState? fleet = null)
        => new(name, new CircuitBreakerOptions(), AttemptTimeout, fleet: fleet);

    /// <summary>Down since <see cref="T0"/>, its probe slot open from <paramref name="firstProbe"/> on.</summary>
    private static ModelHealth Down(string name, DateTimeOffset firstProbe)
    {
        var health = NewHealth(name);
        health.Opened(T0, firstProbe);
        return health;
    }

    private static ModelHealth CoolingDown(string name, DateTimeOffset until)
    {
        var health = NewHealth(name);
        health.CoolDown(until);
        return health;
    }

    private static Route NewRoute(ModelHealth health, ModelHealth? reachability = null, string? gatewayName = "primary", Action<GatewayOptions>? configure = null)
    {
        var options = new GatewayOptions { Name = gatewayName ?? string.Empty, BaseAddress = new Uri("https://primary.test/v1/"), ApiKey = "sk-primary" };
        configure?.Invoke(options);
        var gateway = new GatewayEndpoint(options, gatewayName is not null, new NanoBananaOptions(), TimeProvider.System, reachability);
        var empty = ResiliencePipeline<AttemptResult>.Empty;
        return new Route(gateway, new ModelOptions { Id = Nb2, MaxAttempts = 3 }, health, empty, empty, empty);
    }

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public async Task AdmitAsync_OneGateway_TheModelsHealthAloneDecides()
    {
        var up = NewRoute(NewHealth("up"));
        var downWithSlot = NewRoute(Down("down", T0));
        var downNoSlot = NewRoute(Down("down", T0 + Seconds(5)));
        var cooling = NewRoute(CoolingDown("cooling", T0 + Seconds(30)));

        Assert.Equal(new RoutePass(Admission.Send, Admission.Send), await up.AdmitAsync(T0, Ct));
        Assert.Equal(new RoutePass(Admission.Probe, Admission.Send), await downWithSlot.AdmitAsync(T0, Ct));
        Assert.Equal(RoutePass.Skip, await downNoSlot.AdmitAsync(T0, Ct));
        Assert.Equal(RoutePass.Skip, await cooling.AdmitAsync(T0, Ct));
    }

    [Fact]
    public async Task AdmitAsync_GatewayUnreachable_SkipsWithoutTakingTheModelsProbeSlot()
    {
        var health = Down("model", T0);
        var route = NewRoute(health, Down("gateway", T0 + Seconds(5)));

        var pass = await route.AdmitAsync(T0, Ct);

        Assert.Equal(RoutePass.Skip, pass);
        Assert.False(health.IsProbing(T0));
        Assert.Equal(Admission.Probe, health.Admit(T0));
    }

    [Fact]
    public async Task AdmitAsync_GatewayProbeSlotTakenButTheModelSkips_HandsTheGatewaysSlotBack()
    {
        var gateway = Down("gateway", T0);
        var route = NewRoute(CoolingDown("model", T0 + Seconds(30)), gateway);

        var pass = await route.AdmitAsync(T0, Ct);

        Assert.Equal(RoutePass.Skip, pass);
        Assert.False(gateway.IsProbing(T0));
        Assert.Equal(Admission.Probe, gateway.Admit(T0));
    }

    [Fact]
    public async Task AdmitAsync_GatewayDownAndItsSlotCome_ModelUp_TheCallProbesThroughTheGateway()
    {
        var gateway = Down("gateway", T0);
        var route = NewRoute(NewHealth("model"), gateway);

        var pass = await route.AdmitAsync(T0, Ct);

        Assert.Equal(new RoutePass(Admission.Send, Admission.Probe), pass);
        Assert.True(pass.IsProbe);
        Assert.True(gateway.IsProbing(T0));
    }

    [Fact]
    public async Task AdmitAsync_BothDownAndBothSlotsCome_OneCallProbesBoth()
    {
        var health = Down("model", T0);
        var gateway = Down("gateway", T0);
        var route = NewRoute(health, gateway);

        var first = await route.AdmitAsync(T0, Ct);
        var second = await route.AdmitAsync(T0, Ct);

        Assert.Equal(new RoutePass(Admission.Probe, Admission.Probe), first);
        Assert.Equal(RoutePass.Skip, second);
        Assert.True(health.IsProbing(T0));
        Assert.True(gateway.IsProbing(T0));
    }

    [Fact]
    public async Task AdmitAsync_GatewayUpAndTheModelSkips_LeavesTheGatewayAlone()
    {
        var gateway = NewHealth("gateway");
        var route = NewRoute(CoolingDown("model", T0 + Seconds(30)), gateway);
        var gatewayChanged = gateway.WhenChanged();

        var pass = await route.AdmitAsync(T0, Ct);

        Assert.Equal(RoutePass.Skip, pass);
        Assert.False(gatewayChanged.IsCompleted, "nothing was taken from the gateway, so nothing is handed back");
    }

    [Fact]
    public async Task AdmitAsync_CallEndsWhileTheFleetIsAskedForTheModelsSlot_HandsBothSlotsBack()
    {
        var health = NewHealth("model", HealthOnlyFleet.Cancelled());
        health.Opened(T0, T0);
        var gateway = Down("gateway", T0);
        var route = NewRoute(health, gateway);
        using var ended = new CancellationTokenSource();
        await ended.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => route.AdmitAsync(T0, ended.Token).AsTask());

        Assert.False(health.IsProbing(T0));
        Assert.False(gateway.IsProbing(T0));
        Assert.Equal(Admission.Probe, gateway.Admit(T0));
    }

    [Fact]
    public async Task AdmitAsync_ModelsFleetClaimCompletesLater_ResumesOffTheCallersContext()
    {
        var fleet = HealthOnlyFleet.Pending();
        var health = NewHealth("model", fleet);
        health.Opened(T0, T0);
        var route = NewRoute(health);

        var (pass, posts) = await AdmitUnderContextAsync(route, fleet.Grant);

        Assert.Equal(new RoutePass(Admission.Probe, Admission.Send), pass);
        Assert.Equal(0, posts);
    }

    [Fact]
    public async Task AdmitAsync_GatewaysFleetClaimCompletesLater_ResumesOffTheCallersContext()
    {
        var fleet = HealthOnlyFleet.Pending();
        var gateway = NewHealth("gateway", fleet);
        gateway.Opened(T0, T0);
        var route = NewRoute(NewHealth("model"), gateway);

        var (pass, posts) = await AdmitUnderContextAsync(route, fleet.Grant);

        Assert.Equal(new RoutePass(Admission.Send, Admission.Probe), pass);
        Assert.Equal(0, posts);
    }

    [Fact]
    public async Task AdmitAsync_ModelsFleetViewArrivesAfterTheJoin_ResumesOffTheCallersContext()
    {
        var fleet = HealthOnlyFleet.Reading();
        var route = NewRoute(NewHealth("model", fleet));

        var (pass, posts) = await AdmitUnderContextAsync(route, () => fleet.FinishRead());

        Assert.Equal(new RoutePass(Admission.Send, Admission.Send), pass);
        Assert.Equal(0, posts);
    }

    /// <summary>
    /// Starts an admission under a caller's synchronization context (a UI thread, say), lets the fleet answer
    /// afterwards (<paramref name="answer"/>: grant the probe slot, or bring in its view), and counts what the
    /// admission posted back to that context: a library that resumes there can deadlock a caller that blocks on it.
    /// </summary>
    private static async Task<(RoutePass Pass, int Posts)> AdmitUnderContextAsync(Route route, Action answer)
    {
        var context = new CountingContext();
        var previous = SynchronizationContext.Current;
        ValueTask<RoutePass> admission;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            admission = route.AdmitAsync(T0, Ct);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        Assert.False(admission.IsCompleted, "the fleet has not answered yet");
        answer();
        return (await admission, context.Posts);
    }

    [Fact]
    public async Task Release_PassHoldsBothSlots_HandsBothBack()
    {
        var health = Down("model", T0);
        var gateway = Down("gateway", T0);
        var route = NewRoute(health, gateway);
        var pass = await route.AdmitAsync(T0, Ct);

        route.Release(pass);

        Assert.False(health.IsProbing(T0));
        Assert.False(gateway.IsProbing(T0));
        Assert.Equal(new RoutePass(Admission.Probe, Admission.Probe), await route.AdmitAsync(T0, Ct));
    }

    [Fact]
    public async Task Release_PassHoldsOnlyTheModelsSlot_LeavesTheGatewayAlone()
    {
        var health = Down("model", T0);
        var gateway = NewHealth("gateway");
        var route = NewRoute(health, gateway);
        var pass = await route.AdmitAsync(T0, Ct);
        var gatewayChanged = gateway.WhenChanged();

        route.Release(pass);

        Assert.Equal(new RoutePass(Admission.Probe, Admission.Send), pass);
        Assert.False(health.IsProbing(T0));
        Assert.False(gatewayChanged.IsCompleted);
    }

    [Fact]
    public async Task Release_PassHoldsOnlyTheGatewaysSlot_LeavesTheModelAlone()
    {
        var health = NewHealth("model");
        var gateway = Down("gateway", T0);
        var route = NewRoute(health, gateway);
        var pass = await route.AdmitAsync(T0, Ct);
        var modelChanged = health.WhenChanged();

        route.Release(pass);

        Assert.Equal(new RoutePass(Admission.Send, Admission.Probe), pass);
        Assert.False(gateway.IsProbing(T0));
        Assert.False(modelChanged.IsCompleted);
    }

    [Fact]
    public async Task Release_OneGatewayAndNoSlotTaken_ChangesNothing()
    {
        var health = NewHealth("model");
        var route = NewRoute(health);
        var pass = await route.AdmitAsync(T0, Ct);
        var changed = health.WhenChanged();

        route.Release(pass);

        Assert.False(changed.IsCompleted);
    }

    [Fact]
    public void RestingUntil_OneGateway_IsTheModelsRest()
    {
        Assert.Null(NewRoute(NewHealth("model")).RestingUntil(T0));
        Assert.Equal(T0 + Seconds(30), NewRoute(CoolingDown("model", T0 + Seconds(30))).RestingUntil(T0));
    }

    [Fact]
    public void RestingUntil_TwoGateways_TheLaterOfTheModelsAndTheGatewaysRest()
    {
        DateTimeOffset? Resting(double? model, double? gateway)
        {
            var health = model is { } m ? CoolingDown("model", T0 + Seconds(m)) : NewHealth("model");
            var reachability = gateway is { } g ? CoolingDown("gateway", T0 + Seconds(g)) : NewHealth("gateway");
            return NewRoute(health, reachability).RestingUntil(T0);
        }

        Assert.Null(Resting(null, null));
        Assert.Equal(T0 + Seconds(30), Resting(30, null));
        Assert.Equal(T0 + Seconds(60), Resting(null, 60));
        Assert.Equal(T0 + Seconds(90), Resting(90, 60));
        Assert.Equal(T0 + Seconds(60), Resting(30, 60));
    }

    [Fact]
    public void IsOnlyDown_ModelJudgedDown_TrueWithOneGatewayOrAGatewayThatAnswers()
    {
        Assert.True(NewRoute(Down("model", T0 + Seconds(5))).IsOnlyDown(T0));
        Assert.True(NewRoute(Down("model", T0 + Seconds(5)), NewHealth("gateway")).IsOnlyDown(T0));
    }

    [Fact]
    public void IsOnlyDown_GatewayResting_False()
    {
        Assert.False(NewRoute(Down("model", T0 + Seconds(5)), Down("gateway", T0 + Seconds(5))).IsOnlyDown(T0));
        Assert.False(NewRoute(Down("model", T0 + Seconds(5)), CoolingDown("gateway", T0 + Seconds(30))).IsOnlyDown(T0));
    }

    [Fact]
    public void IsOnlyDown_ModelUpOrCoolingDown_False()
    {
        var downAndCooling = Down("model", T0 + Seconds(5));
        downAndCooling.CoolDown(T0 + Seconds(30));

        Assert.False(NewRoute(NewHealth("model"), NewHealth("gateway")).IsOnlyDown(T0));
        Assert.False(NewRoute(downAndCooling, NewHealth("gateway")).IsOnlyDown(T0));
    }

    [Fact]
    public async Task WhenChanged_OneGateway_CompletesAtTheModelsChange()
    {
        var health = Down("model", T0);
        var changed = NewRoute(health).WhenChanged();
        Assert.False(changed.IsCompleted);

        health.Closed();

        await changed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task WhenChanged_TwoGateways_CompletesAtTheGatewaysChange()
    {
        var gateway = Down("gateway", T0);
        var changed = NewRoute(NewHealth("model"), gateway).WhenChanged();
        Assert.False(changed.IsCompleted);

        gateway.Closed();

        await changed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task WhenChanged_TwoGateways_CompletesAtTheModelsChange()
    {
        var health = Down("model", T0);
        var changed = NewRoute(health, NewHealth("gateway")).WhenChanged();
        Assert.False(changed.IsCompleted);

        health.Closed();

        await changed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public void NameOf_WithAndWithoutAGatewayName()
    {
        Assert.Equal(Nb2, Route.NameOf(Nb2, null));
        Assert.Equal($"{Nb2}@backup", Route.NameOf(Nb2, "backup"));
    }

    [Fact]
    public void Route_NamesItsModelAndGateway_AndSendsTheGatewaysSpelling()
    {
        var named = NewRoute(NewHealth("model"), configure: g => g.ModelIds[Nb2] = "google/nano-banana-2");
        var single = NewRoute(NewHealth("model"), gatewayName: null);

        Assert.Equal((Nb2, "google/nano-banana-2", $"{Nb2}@primary"), (named.ModelId, named.WireId, named.ToString()));
        Assert.Equal((Nb2, Nb2, Nb2), (single.ModelId, single.WireId, single.ToString()));
    }

    [Theory]
    [InlineData("Send", "Send", false, false)]
    [InlineData("Probe", "Send", false, true)]
    [InlineData("Send", "Probe", false, true)]
    [InlineData("Probe", "Probe", false, true)]
    [InlineData("Skip", "Send", true, false)]
    [InlineData("Send", "Skip", true, false)]
    [InlineData("Skip", "Probe", true, false)]
    [InlineData("Probe", "Skip", true, false)]
    public void RoutePass_SkipsWhenEitherSkips_ProbesWhenEitherProbesAndNeitherSkips(string route, string gateway, bool skip, bool probe)
    {
        var pass = new RoutePass(Enum.Parse<Admission>(route), Enum.Parse<Admission>(gateway));

        Assert.Equal((skip, probe), (pass.IsSkip, pass.IsProbe));
    }

    /// <summary>A caller's context that counts the continuations posted to it, and runs them on the thread pool.</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            base.Post(d, state);
        }
    }
}
