using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>
/// The edges of <see cref="ModelHealth"/> that the mutation gate showed no test looked at: the instants where a state
/// ends, the probe slot seen from every side, what is logged and signalled on a transition, and the outage's clock.
/// </summary>
public class ModelHealthMutationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(2);

    private static ModelHealth NewHealth(CircuitBreakerOptions? options = null, ILogger? logger = null)
        => new("m", options ?? new CircuitBreakerOptions(), AttemptTimeout, logger);

    private static void Outcome(ModelHealth health, DateTimeOffset at, AttemptOutcome outcome, bool probe = false)
        => health.Finished(health.Sending(at, probe), outcome, TimeSpan.FromSeconds(10), at);

    private static ModelHealth DownHealth(DateTimeOffset firstProbe, ILogger? logger = null)
    {
        var health = NewHealth(logger: logger);
        health.Opened(T0, firstProbe);
        return health;
    }

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void State_CoolDownEnds_ClosedFromItsInstantOn()
    {
        var health = NewHealth();
        health.CoolDown(T0 + Seconds(30));

        Assert.Equal(ModelBreakerState.Open, health.State(T0 + Seconds(29)));
        Assert.Equal(ModelBreakerState.Closed, health.State(T0 + Seconds(30)));
    }

    [Fact]
    public void State_Down_OpenUntilAProbeIsOnItsWay_HalfOpenOnlyWhileItIs()
    {
        var health = DownHealth(T0 + Seconds(5));

        Assert.Equal(ModelBreakerState.Open, health.State(T0));
        Assert.Equal(Admission.Probe, health.Admit(T0 + Seconds(5)));
        Assert.Equal(ModelBreakerState.HalfOpen, health.State(T0 + Seconds(5)));
        Assert.Equal(ModelBreakerState.Open, health.State(T0 + Seconds(5) + AttemptTimeout));
    }

    [Fact]
    public void RestingUntil_ProbeOnItsWay_OneAttemptTimeoutAhead()
    {
        var health = DownHealth(T0);
        Assert.Equal(Admission.Probe, health.Admit(T0));

        Assert.Equal(T0 + Seconds(10) + AttemptTimeout, health.RestingUntil(T0 + Seconds(10)));
    }

    [Fact]
    public void RestingUntil_AtTheInstantTheModelMayBeTried_IsNull()
    {
        var cooling = NewHealth();
        cooling.CoolDown(T0 + Seconds(30));
        var down = DownHealth(T0 + Seconds(5));

        Assert.Equal(T0 + Seconds(30), cooling.RestingUntil(T0 + Seconds(29)));
        Assert.Null(cooling.RestingUntil(T0 + Seconds(30)));
        Assert.Equal(T0 + Seconds(5), down.RestingUntil(T0 + Seconds(4)));
        Assert.Null(down.RestingUntil(T0 + Seconds(5)));
    }

    [Fact]
    public void IsResting_DownOrCoolingDown_True_UpOnceTheCoolDownEnds_False()
    {
        var health = NewHealth();
        Assert.False(health.IsResting(T0));

        health.CoolDown(T0 + Seconds(30));
        Assert.True(health.IsResting(T0 + Seconds(29)));
        Assert.False(health.IsResting(T0 + Seconds(30)));

        Assert.True(DownHealth(T0 + Seconds(5)).IsResting(T0 + Seconds(60)));
    }

    [Fact]
    public void IsCoolingDown_UntilTheHintsInstant_ThenNot()
    {
        var health = NewHealth();
        Assert.False(health.IsCoolingDown(T0));

        health.CoolDown(T0 + Seconds(30));

        Assert.True(health.IsCoolingDown(T0 + Seconds(29)));
        Assert.False(health.IsCoolingDown(T0 + Seconds(30)));
        Assert.False(health.IsCoolingDown(T0 + Seconds(31)));
    }

    [Fact]
    public void IsOnlyDown_DownWithoutACoolDown_True_UpOrStillCooling_False()
    {
        Assert.False(NewHealth().IsOnlyDown(T0));
        Assert.True(DownHealth(T0 + Seconds(5)).IsOnlyDown(T0));

        var cooling = DownHealth(T0);
        cooling.CoolDown(T0 + Seconds(30));

        Assert.False(cooling.IsOnlyDown(T0 + Seconds(29)));
        Assert.True(cooling.IsOnlyDown(T0 + Seconds(30)));
    }

    [Fact]
    public void TryClaimProbe_UpModel_NothingToProbe()
    {
        var health = NewHealth();

        Assert.False(health.TryClaimProbe(T0));
        Assert.False(health.IsProbing(T0));
    }

    [Fact]
    public void TryClaimProbe_SlotFromItsInstant_OneCallerOnly()
    {
        var health = DownHealth(T0 + Seconds(5));

        Assert.False(health.TryClaimProbe(T0 + Seconds(4)));
        Assert.True(health.TryClaimProbe(T0 + Seconds(5)));
        Assert.False(health.TryClaimProbe(T0 + Seconds(5)));
    }

    [Fact]
    public void TryClaimProbe_CoolingDown_WaitsForTheCoolDownsEnd()
    {
        var health = DownHealth(T0);
        health.CoolDown(T0 + Seconds(30));

        Assert.False(health.TryClaimProbe(T0 + Seconds(29)));
        Assert.True(health.TryClaimProbe(T0 + Seconds(30)));
    }

    [Fact]
    public void ProbeAt_Up_Null_Down_TheSlotOrNowOnceItHasCome()
    {
        Assert.Null(NewHealth().ProbeAt(T0));

        var health = DownHealth(T0 + Seconds(5));

        Assert.Equal(T0 + Seconds(5), health.ProbeAt(T0));
        Assert.Equal(T0 + Seconds(7), health.ProbeAt(T0 + Seconds(7)));
    }

    [Fact]
    public void ProbeAt_ProbeOnItsWay_Null_FreeAgainAfterOneAttemptTimeout()
    {
        var health = DownHealth(T0);
        Assert.True(health.TryClaimProbe(T0));

        Assert.Null(health.ProbeAt(T0 + Seconds(1)));
        Assert.Equal(T0 + AttemptTimeout, health.ProbeAt(T0 + AttemptTimeout));
    }

    [Fact]
    public void ProbeAt_CoolingDown_NullUntilTheCoolDownsEnd()
    {
        var health = DownHealth(T0);
        health.CoolDown(T0 + Seconds(30));

        Assert.Null(health.ProbeAt(T0 + Seconds(29)));
        Assert.Equal(T0 + Seconds(30), health.ProbeAt(T0 + Seconds(30)));
    }

    [Fact]
    public void IsProbing_OnlyWhileAClaimedProbeOfADownModelIsOut()
    {
        var health = DownHealth(T0);
        Assert.False(health.IsProbing(T0));

        Assert.Equal(Admission.Probe, health.Admit(T0));
        Assert.True(health.IsProbing(T0 + Seconds(1)));
        Assert.False(health.IsProbing(T0 + AttemptTimeout));

        Outcome(health, T0 + Seconds(1), AttemptOutcome.Overloaded, probe: true);
        Assert.False(health.IsProbing(T0 + Seconds(1)));
    }

    [Fact]
    public void ReleaseProbe_SignalsTheWaitingCalls()
    {
        var health = DownHealth(T0);
        Assert.True(health.TryClaimProbe(T0));
        var changed = health.WhenChanged();

        health.ReleaseProbe();

        Assert.True(changed.IsCompleted);
        Assert.False(health.IsProbing(T0));
    }

    [Fact]
    public void Finished_ProbeFails_SignalsWithoutLogging_AndSetsTheNextSlot()
    {
        var logger = new FakeLogger();
        var health = DownHealth(T0, logger);
        var at = T0 + Seconds(20);
        Assert.Equal(Admission.Probe, health.Admit(at));
        var changed = health.WhenChanged();

        Outcome(health, at, AttemptOutcome.Overloaded, probe: true);

        Assert.True(changed.IsCompleted);
        Assert.True(health.IsDown);
        Assert.Empty(logger.Collector.GetSnapshot());
        Assert.Equal(at + Seconds(10), health.ProbeAt(at)); // half the outage's age so far
    }

    [Fact]
    public void Finished_ProbesFailureTipsAnUpModelDown_LoggedAsJudgedDown()
    {
        // A probe sent just before another call's answer marked the model up: its failure still counts, and may be the one that trips the bar.
        var logger = new FakeLogger();
        var health = NewHealth(logger: logger);
        for (var i = 0; i < 7; i++)
        {
            Outcome(health, T0, AttemptOutcome.Overloaded);
        }

        Outcome(health, T0, AttemptOutcome.Overloaded, probe: true);

        Assert.True(health.IsDown);
        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(7, record.Id.Id);
        Assert.Equal(T0 + Seconds(5), health.ProbeAt(T0));
    }

    [Fact]
    public void Finished_JudgedDownAndUpAgain_EachLoggedAndSignalledOnce()
    {
        var logger = new FakeLogger();
        var health = NewHealth(logger: logger);
        var changed = health.WhenChanged();
        for (var i = 0; i < 7; i++)
        {
            Outcome(health, T0, AttemptOutcome.Overloaded);
        }

        Assert.False(changed.IsCompleted);
        Assert.Empty(logger.Collector.GetSnapshot());

        Outcome(health, T0, AttemptOutcome.Overloaded);

        Assert.True(changed.IsCompleted);
        var opened = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(7, opened.Id.Id);
        Assert.Equal(LogLevel.Warning, opened.Level);
        Assert.Contains("m judged down", opened.Message, StringComparison.Ordinal);

        var at = T0 + Seconds(5);
        Assert.Equal(Admission.Probe, health.Admit(at));
        changed = health.WhenChanged();
        Outcome(health, at, AttemptOutcome.Success, probe: true);

        Assert.True(changed.IsCompleted);
        Assert.Equal(2, logger.Collector.Count);
        Assert.Equal(8, logger.Collector.LatestRecord.Id.Id);
        Assert.Equal(LogLevel.Information, logger.Collector.LatestRecord.Level);

        // An answer from a model that is up changes nothing: no log, no signal.
        changed = health.WhenChanged();
        Outcome(health, at, AttemptOutcome.Success);

        Assert.False(changed.IsCompleted);
        Assert.Equal(2, logger.Collector.Count);
    }

    [Fact]
    public void Finished_TheBarIsCrossedInsideABatchReadInSendingOrder_LoggedAsJudgedDown()
    {
        // The first request holds the line; ten failures wait behind it and are read together when it fails too.
        var logger = new FakeLogger();
        var health = NewHealth(logger: logger);
        var first = health.Sending(T0, probe: false);
        for (var i = 0; i < 10; i++)
        {
            Outcome(health, T0, AttemptOutcome.Overloaded);
        }

        Assert.False(health.IsDown);
        Assert.Equal(0, health.Evidence);

        health.Finished(first, AttemptOutcome.Overloaded, Seconds(10), T0);

        Assert.True(health.IsDown);
        Assert.Equal(7, Assert.Single(logger.Collector.GetSnapshot()).Id.Id);
    }

    [Fact]
    public void Finished_AnEarlierRequestOutAsLongAsTheSlowestAnswer_NoLongerHoldsTheLine()
    {
        var health = NewHealth();
        Outcome(health, T0, AttemptOutcome.Success); // the slowest recent answer: 10 s
        var hanging = health.Sending(T0, probe: false);
        for (var i = 0; i < 8; i++)
        {
            Outcome(health, T0 + Seconds(9), AttemptOutcome.Overloaded);
        }

        Assert.False(health.IsDown); // still held: the hanging request is younger than 10 s

        Outcome(health, T0 + Seconds(10), AttemptOutcome.Overloaded);

        Assert.True(health.IsDown);
        health.Finished(hanging, AttemptOutcome.Timeout, AttemptTimeout, T0 + AttemptTimeout);
    }

    [Fact]
    public void Evidence_FailuresWhileDown_StayAtTheBar_SoOneAnswerLeavesTheBarLessOneSuccess()
    {
        var health = NewHealth();
        for (var i = 0; i < 8 + 5; i++)
        {
            Outcome(health, T0, AttemptOutcome.Overloaded); // the last five were in flight when the model went down
        }

        Assert.Equal(8, health.Evidence);

        Assert.Equal(Admission.Probe, health.Admit(T0 + Seconds(5)));
        Outcome(health, T0 + Seconds(5), AttemptOutcome.Success, probe: true);

        Assert.False(health.IsDown);
        Assert.Equal(8 - ModelHealth.SuccessWeight(0.5), health.Evidence, 3);
    }

    [Fact]
    public void Evidence_AnOutcomeStampedBeforeTheLastOne_FadesNothing()
    {
        // Two calls finishing together race to the lock: the one that read the clock first may report second.
        var health = NewHealth();
        Outcome(health, T0 + Seconds(1), AttemptOutcome.Overloaded);
        Outcome(health, T0, AttemptOutcome.Overloaded);

        Assert.Equal(2, health.Evidence);
    }

    [Fact]
    public void Evidence_LongOutage_DoesNotFadeWhileDown()
    {
        var health = NewHealth();
        for (var i = 0; i < 8; i++)
        {
            Outcome(health, T0, AttemptOutcome.Overloaded);
        }

        // Ten minutes down (two sampling durations): the answer that ends it still leaves the bar less one success.
        var at = T0 + TimeSpan.FromMinutes(10);
        Assert.Equal(Admission.Probe, health.Admit(at));
        Outcome(health, at, AttemptOutcome.Success, probe: true);

        Assert.False(health.IsDown);
        Assert.Equal(8 - ModelHealth.SuccessWeight(0.5), health.Evidence, 3);
    }

    [Fact]
    public void Closed_DownModel_UpForEveryCallWithNoEvidence_AndSignals()
    {
        var health = DownHealth(T0 + Seconds(5));
        var changed = health.WhenChanged();

        health.Closed();

        Assert.True(changed.IsCompleted);
        Assert.False(health.IsDown);
        Assert.Equal(0, health.Evidence);
        Assert.Equal(Admission.Send, health.Admit(T0));
        Assert.Equal(ModelBreakerState.Closed, health.State(T0));
    }

    [Fact]
    public void Opened_AgainDuringAnOutage_KeepsItsStart_ProbeGapsFollowTheWholeOutage()
    {
        var health = DownHealth(T0 + Seconds(5));
        health.Opened(T0 + Seconds(60), T0 + Seconds(65));
        var at = T0 + Seconds(100);
        Assert.Equal(Admission.Probe, health.Admit(at));

        Outcome(health, at, AttemptOutcome.Overloaded, probe: true);

        Assert.Equal(at + Seconds(50), health.ProbeAt(at)); // half of 100 s, not of the 40 s since the second report
    }

    [Fact]
    public void Opened_AgainWithAnEarlierFirstProbe_NeverBringsTheSlotForward()
    {
        var health = DownHealth(T0 + Seconds(60));

        health.Opened(T0 + Seconds(1), T0 + Seconds(5));

        Assert.Equal(T0 + Seconds(60), health.ProbeAt(T0 + Seconds(1)));
        Assert.False(health.TryClaimProbe(T0 + Seconds(5)));
    }

    [Fact]
    public void CoolDown_EndsOnlyAtTheLatestHintsInstant()
    {
        var health = NewHealth();
        health.CoolDown(T0 + Seconds(10));
        health.CoolDown(T0 + Seconds(30));
        health.CoolDown(T0 + Seconds(20));

        Assert.Equal(T0 + Seconds(30), health.RestingUntil(T0));
        Assert.Equal(Admission.Skip, health.Admit(T0 + Seconds(29)));
        Assert.Equal(Admission.Send, health.Admit(T0 + Seconds(30)));
    }
}
