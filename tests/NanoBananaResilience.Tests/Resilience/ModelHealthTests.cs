using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

public class ModelHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    private static ModelHealth NewHealth(CircuitBreakerOptions? options = null)
        => new("m", options ?? new CircuitBreakerOptions(), TimeSpan.FromMinutes(2));

    /// <summary>Sends one request at <paramref name="at"/> and finishes it with <paramref name="outcome"/> at once.</summary>
    private static void Outcome(ModelHealth health, DateTimeOffset at, AttemptOutcome outcome, bool probe = false)
        => health.Finished(health.Sending(at, probe), outcome, TimeSpan.FromSeconds(10), at);

    [Fact]
    public void New_IsUpAndAdmitsSending()
    {
        var health = NewHealth();

        Assert.Equal(Admission.Send, health.Admit(T0));
        Assert.Null(health.RestingUntil(T0));
        Assert.Equal(ModelBreakerState.Closed, health.State(T0));
    }

    [Fact]
    public void SuccessWeight_DefaultRatio_OneSuccessCancelsAboutThreeAndAHalfFailures()
    {
        Assert.Equal(3.59, ModelHealth.SuccessWeight(0.5), 2);
        Assert.Equal(8.07, ModelHealth.SuccessWeight(0.8), 2);
    }

    [Fact]
    public void Failures_SevenInARow_StayUp_TheEighthJudgesDown()
    {
        var health = NewHealth();
        for (var i = 0; i < 7; i++)
        {
            Outcome(health, T0, AttemptOutcome.Overloaded);
        }

        Assert.False(health.IsDown);
        Outcome(health, T0, AttemptOutcome.Overloaded);

        Assert.True(health.IsDown);
        Assert.Equal(Admission.Skip, health.Admit(T0));
        Assert.Equal(T0 + TimeSpan.FromSeconds(5), health.RestingUntil(T0));
    }

    [Fact]
    public void Noise_45PercentFailingAtRandom_IsRarelyJudgedDown_AnOutageAlwaysIs()
    {
        var random = new Random(3);
        var noisyDowns = 0;
        var noisy = NewHealth();
        var now = T0;
        for (var i = 0; i < 6_000; i++)
        {
            now += TimeSpan.FromSeconds(1);
            if (noisy.IsDown)
            {
                noisyDowns++;
                noisy.Closed();
            }

            Outcome(noisy, now, random.NextDouble() < 0.45 ? AttemptOutcome.Overloaded : AttemptOutcome.Success);
        }

        var down = NewHealth();
        var failuresBeforeDown = 0;
        while (!down.IsDown)
        {
            now += TimeSpan.FromSeconds(1);
            failuresBeforeDown++;
            Outcome(down, now, random.NextDouble() < 0.97 ? AttemptOutcome.Overloaded : AttemptOutcome.Success);
        }

        // One in 600 outcomes by the arithmetic of the test; 6,000 outcomes allow a few, never dozens.
        Assert.InRange(noisyDowns, 0, 25);
        Assert.InRange(failuresBeforeDown, 8, 20);
    }

    [Fact]
    public void Outcomes_AreReadInSendingOrder_FastFailuresDoNotOvertakeSlowSuccesses()
    {
        // HTTP/2: 64 requests sent together, every eighth fails; the eight small 503s arrive before the large successes.
        var health = NewHealth();
        var tickets = Enumerable.Range(0, 64).Select(_ => health.Sending(T0, probe: false)).ToList();
        var failing = tickets.Where((_, i) => i % 8 == 7).ToList();
        foreach (var ticket in failing)
        {
            health.Finished(ticket, AttemptOutcome.Overloaded, TimeSpan.FromMilliseconds(5), T0);
        }

        Assert.False(health.IsDown);
        Assert.Equal(0, health.Evidence); // none read yet: requests sent before them are in flight
        foreach (var ticket in tickets.Except(failing))
        {
            health.Finished(ticket, AttemptOutcome.Success, TimeSpan.FromMilliseconds(50), T0);
        }

        Assert.False(health.IsDown);
        Assert.Equal(1, health.Evidence); // read in sending order: seven successes before each failure
    }

    [Fact]
    public void Failures_WhileEarlierRequestsHangPastTheSlowestAnswer_JudgeDown()
    {
        var health = NewHealth();
        Outcome(health, T0, AttemptOutcome.Success); // the slowest recent answer: 10 s
        var hanging = health.Sending(T0, probe: false);
        var later = T0 + TimeSpan.FromSeconds(30);
        for (var i = 0; i < 8; i++)
        {
            Outcome(health, later, AttemptOutcome.Overloaded);
        }

        Assert.True(health.IsDown);
        health.Finished(hanging, AttemptOutcome.Timeout, TimeSpan.FromMinutes(2), later);
    }

    [Fact]
    public void Evidence_HalvesForEachWholeSamplingDurationWithoutAnOutcome()
    {
        var health = NewHealth(new CircuitBreakerOptions { SamplingDuration = TimeSpan.FromMinutes(2) });
        for (var i = 0; i < 6; i++)
        {
            Outcome(health, T0 + TimeSpan.FromSeconds(i * 20), AttemptOutcome.Overloaded); // quick succession: no fading
        }

        Assert.Equal(6, health.Evidence);

        // Four and a half minutes of silence: two whole spans; six failures weigh one and a half, the seventh adds one.
        Outcome(health, T0 + TimeSpan.FromSeconds(100) + TimeSpan.FromMinutes(4.5), AttemptOutcome.Overloaded);

        Assert.Equal(2.5, health.Evidence, 3);
        Assert.False(health.IsDown);
    }

    [Fact]
    public void Probes_OneCallerPerSlot_GapsGrowWithTheOutagesAgeUpToProbeInterval()
    {
        var options = new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(5), ProbeInterval = TimeSpan.FromSeconds(60) };
        var health = NewHealth(options);
        health.Opened(T0, T0 + options.BreakDuration);
        var probes = new List<double>();
        var now = T0;
        while (now < T0 + TimeSpan.FromMinutes(5))
        {
            now += TimeSpan.FromMilliseconds(500);
            if (health.Admit(now) == Admission.Probe)
            {
                Assert.Equal(Admission.Skip, health.Admit(now)); // a second caller finds the slot taken
                probes.Add((now - T0).TotalSeconds);
                Outcome(health, now, AttemptOutcome.Overloaded, probe: true);
            }
        }

        // 5 s, then half the age (at least 5 s), at most 60 s apart.
        Assert.Equal([5, 10, 15, 22.5, 34, 51, 76.5, 115, 172.5, 232.5, 292.5], probes.Select(p => Math.Round(p * 2) / 2));
    }

    [Fact]
    public void Probe_Success_MarksUpAndLeavesEvidenceSoALeakIsQuicklyJudgedDownAgain()
    {
        var health = NewHealth();
        health.Opened(T0, T0 + TimeSpan.FromSeconds(5));
        var at = T0 + TimeSpan.FromSeconds(5);
        Assert.Equal(Admission.Probe, health.Admit(at));
        Outcome(health, at, AttemptOutcome.Success, probe: true);

        Assert.False(health.IsDown);
        Assert.Equal(Admission.Send, health.Admit(at));
        Assert.Equal(8 - ModelHealth.SuccessWeight(0.5), health.Evidence, 3);
        for (var i = 0; i < 4; i++)
        {
            Outcome(health, at, AttemptOutcome.Overloaded);
        }

        Assert.True(health.IsDown);
    }

    [Fact]
    public void ReleaseProbe_AnUnsentProbeFreesTheSlotAtOnce()
    {
        var health = NewHealth();
        health.Opened(T0, T0);
        Assert.Equal(Admission.Probe, health.Admit(T0));
        Assert.Equal(ModelBreakerState.HalfOpen, health.State(T0));

        health.ReleaseProbe();

        Assert.Equal(Admission.Probe, health.Admit(T0));
    }

    [Fact]
    public void ClaimedProbe_ThatNeverReports_FreesTheSlotAfterOneAttemptTimeout()
    {
        var health = NewHealth();
        health.Opened(T0, T0);
        Assert.True(health.TryClaimProbe(T0));

        Assert.False(health.TryClaimProbe(T0 + TimeSpan.FromSeconds(119)));
        Assert.True(health.TryClaimProbe(T0 + TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void CoolDown_IsHonouredNeverProbed_AndNeverShortened()
    {
        var health = NewHealth();
        health.CoolDown(T0 + TimeSpan.FromSeconds(30));
        health.CoolDown(T0 + TimeSpan.FromSeconds(10));
        health.Opened(T0, T0);

        Assert.Equal(Admission.Skip, health.Admit(T0 + TimeSpan.FromSeconds(29)));
        Assert.Null(health.ProbeAt(T0 + TimeSpan.FromSeconds(29)));
        Assert.False(health.IsOnlyDown(T0 + TimeSpan.FromSeconds(29)));
        Assert.Equal(T0 + TimeSpan.FromSeconds(30), health.RestingUntil(T0));
        Assert.Equal(Admission.Probe, health.Admit(T0 + TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void CoolingDownAlone_IsNotDown()
    {
        var health = NewHealth();
        health.CoolDown(T0 + TimeSpan.FromSeconds(30));

        Assert.False(health.IsDown);
        Assert.True(health.IsResting(T0));
        Assert.Equal(ModelBreakerState.Open, health.State(T0));
        Assert.Equal(Admission.Send, health.Admit(T0 + TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Disabled_NeverJudgesDown()
    {
        var health = NewHealth(new CircuitBreakerOptions { Enabled = false });
        for (var i = 0; i < 100; i++)
        {
            Outcome(health, T0, AttemptOutcome.Overloaded);
        }

        Assert.False(health.IsDown);
        Assert.Equal(Admission.Send, health.Admit(T0));
    }

    [Theory]
    [InlineData(AttemptOutcome.BadRequest)]
    [InlineData(AttemptOutcome.ContentBlocked)]
    [InlineData(AttemptOutcome.ServerError)]
    public void OutcomesThatSayNothingOfAvailability_AreNotEvidence(AttemptOutcome outcome)
    {
        var health = NewHealth();
        for (var i = 0; i < 20; i++)
        {
            Outcome(health, T0, outcome);
        }

        Assert.Equal(0, health.Evidence);
    }

    [Fact]
    public void NoImage_IsAnAnswer_TheModelIsUp()
    {
        var health = NewHealth();
        health.Opened(T0, T0);
        Assert.Equal(Admission.Probe, health.Admit(T0));

        Outcome(health, T0, AttemptOutcome.NoImage, probe: true);

        Assert.False(health.IsDown);
    }

    [Fact]
    public async Task WhenChanged_CompletesOnTheNextChangeOnly()
    {
        var health = NewHealth();
        var first = health.WhenChanged();
        health.Opened(T0, T0 + TimeSpan.FromSeconds(5));
        await first.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.False(health.WhenChanged().IsCompleted);
    }

    [Fact]
    public void SlowestRecentAnswer_MoreThanItKeeps_ForgetsTheOldestAndReportsTheSlowestOfTheRest()
    {
        var health = NewHealth();
        health.Finished(health.Sending(T0, false), AttemptOutcome.Success, TimeSpan.FromSeconds(90), T0);
        for (var i = 0; i < 32; i++)
        {
            health.Finished(health.Sending(T0, false), AttemptOutcome.Success, TimeSpan.FromSeconds(10 + (i % 5)), T0);
        }

        Assert.Equal(TimeSpan.FromSeconds(14), health.SlowestRecentAnswer());
    }
}
