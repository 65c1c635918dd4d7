using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>ModelHealth joined to a fleet (<see cref="INanoBananaSharedState"/>), with a recording fleet in place of a store.</summary>
public class ModelHealthFleetTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    private static (ModelHealth Health, RecordingFleet Fleet) Join(CircuitBreakerOptions? options = null)
    {
        var fleet = new RecordingFleet();
        return (new ModelHealth("m", options ?? new CircuitBreakerOptions { MinimumThroughput = 2 }, TimeSpan.FromMinutes(2), fleet: fleet), fleet);
    }

    private static void Fail(ModelHealth health, DateTimeOffset at, bool probe = false)
        => health.Finished(health.Sending(at, probe), AttemptOutcome.Overloaded, TimeSpan.FromSeconds(1), at);

    [Fact]
    public void JudgedDown_PublishesTheFirstProbeSlotAndTheCount_ThenAFailedProbePublishesTheNextSlot()
    {
        var (health, fleet) = Join();
        Fail(health, T0);
        Fail(health, T0);

        Assert.Equal([(T0 + TimeSpan.FromSeconds(5), 1)], fleet.Opened);

        var slot = T0 + TimeSpan.FromSeconds(5);
        Assert.Equal(Admission.Probe, health.Admit(slot));
        Fail(health, slot, probe: true);

        Assert.Equal((slot + TimeSpan.FromSeconds(5), 1), fleet.Opened[^1]);
        Assert.Equal(2, fleet.Opened.Count);
    }

    [Fact]
    public void AnswerEndingAnOutage_PublishesTheRecovery_AndACooldownIsPublished()
    {
        var (health, fleet) = Join();
        Fail(health, T0);
        Fail(health, T0);
        var slot = T0 + TimeSpan.FromSeconds(5);
        Assert.Equal(Admission.Probe, health.Admit(slot));

        health.Finished(health.Sending(slot, probe: true), AttemptOutcome.Success, TimeSpan.FromSeconds(1), slot);
        health.CoolDown(slot + TimeSpan.FromSeconds(30));

        Assert.Equal(1, fleet.Closed);
        Assert.Equal([slot + TimeSpan.FromSeconds(30)], fleet.CooledUntil);
    }

    [Fact]
    public void Admit_FleetHoldsTheProbeSlot_SkipsAndLeavesTheLocalSlotFree()
    {
        var (health, fleet) = Join();
        Fail(health, T0);
        Fail(health, T0);
        var slot = T0 + TimeSpan.FromSeconds(5);
        fleet.GrantProbes = false;

        Assert.Equal(Admission.Skip, health.Admit(slot));
        Assert.Equal([(slot, TimeSpan.FromSeconds(5))], fleet.ProbeClaims); // held for the current gap
        Assert.False(health.IsProbing(slot));

        fleet.GrantProbes = true;
        Assert.Equal(Admission.Probe, health.Admit(slot));
    }

    [Fact]
    public void Decisions_RefreshTheFleetsView_AnUpModelSendsWithoutClaiming()
    {
        var (health, fleet) = Join();

        Assert.Equal(Admission.Send, health.Admit(T0));
        _ = health.RestingUntil(T0);

        Assert.Equal(2, fleet.Refreshes);
        Assert.Empty(fleet.ProbeClaims);
    }

    [Fact]
    public async Task ApplyFleet_AnotherProcessJudgedItDown_SkipsUntilItsSlot_AndItsRecoveryMarksItUpWithoutRepublishing()
    {
        var (health, fleet) = Join();
        var changed = health.WhenChanged();

        fleet.Apply(new SharedModelHealth(T0 + TimeSpan.FromSeconds(30), default, 2));

        await changed.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(health.IsDown);
        Assert.Equal(Admission.Skip, health.Admit(T0 + TimeSpan.FromSeconds(29)));
        Assert.Equal(T0 + TimeSpan.FromSeconds(30), health.RestingUntil(T0));

        fleet.Apply(new SharedModelHealth(default, T0 + TimeSpan.FromSeconds(10), 0));

        Assert.False(health.IsDown);
        Assert.True(health.IsCoolingDown(T0 + TimeSpan.FromSeconds(9)));
        Assert.Equal(Admission.Send, health.Admit(T0 + TimeSpan.FromSeconds(10)));
        Assert.Empty(fleet.Opened);
        Assert.Equal(0, fleet.Closed);
        Assert.Empty(fleet.CooledUntil);
    }

    [Fact]
    public void OpenedAndClosedByHand_ArePublishedLikeJudgements()
    {
        var (health, fleet) = Join();

        health.Opened(T0, T0 + TimeSpan.FromSeconds(5));
        health.Closed();

        Assert.Equal([(T0 + TimeSpan.FromSeconds(5), 1)], fleet.Opened);
        Assert.Equal(1, fleet.Closed);
    }

    [Fact]
    public void ApplyFleet_NeverBringsAProbeSlotForward()
    {
        var (health, fleet) = Join();
        fleet.Apply(new SharedModelHealth(T0 + TimeSpan.FromSeconds(30), default, 1));

        fleet.Apply(new SharedModelHealth(T0 + TimeSpan.FromSeconds(10), default, 1));

        Assert.Equal(T0 + TimeSpan.FromSeconds(30), health.RestingUntil(T0));
    }

    [Fact]
    public async Task Join_TheFleetsViewStillOnItsWay_ReturnsAndTheFirstAdmissionWaitsForIt()
    {
        var fleet = HealthOnlyFleet.Reading();

        // The constructor returns with the read under way (one that waited for it would never return here).
        var health = new ModelHealth("m", new CircuitBreakerOptions(), TimeSpan.FromMinutes(2), fleet: fleet);
        var first = health.AdmitAsync(T0, TestContext.Current.CancellationToken);

        Assert.Equal(["m"], fleet.Joined);
        Assert.False(first.IsCompleted, "the first admission decided before the fleet's view came in");
        fleet.FinishRead(new SharedModelHealth(T0 + TimeSpan.FromSeconds(30), default, 2));
        Assert.Equal(Admission.Skip, await first); // another process judged the model down before this one joined
        Assert.Equal(Admission.Skip, health.Admit(T0)); // later admissions decide at once
        Assert.Equal(Admission.Probe, health.Admit(T0 + TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Join_TheFleetsViewFindsNothing_TheFirstAdmissionSendsOnceTheReadIsIn()
    {
        var fleet = HealthOnlyFleet.Reading();
        var health = new ModelHealth("m", new CircuitBreakerOptions(), TimeSpan.FromMinutes(2), fleet: fleet);
        var first = health.AdmitAsync(T0, TestContext.Current.CancellationToken);

        Assert.False(first.IsCompleted);
        fleet.FinishRead();
        Assert.Equal(Admission.Send, await first);
    }

    [Fact]
    public async Task Join_TheCallEndsWhileTheFleetsViewIsOnItsWay_TheAdmissionIsCancelled_AndTheNextStillWaits()
    {
        var fleet = HealthOnlyFleet.Reading();
        var health = new ModelHealth("m", new CircuitBreakerOptions(), TimeSpan.FromMinutes(2), fleet: fleet);
        using var call = new CancellationTokenSource();
        var first = health.AdmitAsync(T0, call.Token).AsTask();

        await call.CancelAsync();

        var ended = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(call.Token, ended.CancellationToken);
        var next = health.AdmitAsync(T0, TestContext.Current.CancellationToken);
        Assert.False(next.IsCompleted, "a cancelled wait does not count as the fleet's view");
        fleet.FinishRead(new SharedModelHealth(default, T0 + TimeSpan.FromMinutes(1), 0));
        Assert.Equal(Admission.Skip, await next); // cooling down, as the fleet said
    }

    private sealed class RecordingFleet : INanoBananaSharedState, INanoBananaSharedModelHealth
    {
        private Action<SharedModelHealth>? _apply;

        public List<(DateTimeOffset Until, int Count)> Opened { get; } = [];

        public int Closed { get; private set; }

        public List<DateTimeOffset> CooledUntil { get; } = [];

        public List<(DateTimeOffset Now, TimeSpan Interval)> ProbeClaims { get; } = [];

        public int Refreshes { get; private set; }

        public bool GrantProbes { get; set; } = true;

        public void Apply(SharedModelHealth state) => _apply!(state);

        public INanoBananaSharedModelHealth JoinHealth(string modelId, Action<SharedModelHealth> apply)
        {
            _apply = apply;
            return this;
        }

        public ValueTask<SharedBudgetReservation> ReserveAsync(string modelId, decimal priceUsd, bool priceLearned, decimal limitUsd, CancellationToken cancellationToken)
            => throw new NotSupportedException("health only");

        public void Settle(SharedBudgetReservation reservation, decimal? costUsd, decimal? perImageUsd) => throw new NotSupportedException("health only");

        void INanoBananaSharedModelHealth.Opened(DateTimeOffset until, int consecutiveTrips) => Opened.Add((until, consecutiveTrips));

        void INanoBananaSharedModelHealth.Closed() => Closed++;

        public void CoolDown(DateTimeOffset until) => CooledUntil.Add(until);

        public ValueTask<bool> TryClaimProbeAsync(DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken)
        {
            ProbeClaims.Add((now, interval));
            return new(GrantProbes);
        }

        public void Refresh(DateTimeOffset now) => Refreshes++;

        public Task Ready => Task.CompletedTask;
    }
}
