namespace NanoBananaResilience.Tests.Resilience;

/// <summary>
/// A route's health learns how noisy its model is in each UTC hour while up, and judges an outage sooner in hours where
/// the model rarely fails: never later than <see cref="CircuitBreakerOptions.MinimumThroughput"/> failures in a row.
/// </summary>
public class ModelHealthLearningTests
{
    private static readonly DateTimeOffset Night = new(2026, 12, 3, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Noon = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static ModelHealth Learning() => new("m", new CircuitBreakerOptions(), TimeSpan.FromMinutes(2), learnsHours: true);

    private static void Outcome(ModelHealth health, DateTimeOffset at, AttemptOutcome outcome, bool probe = false)
        => health.Finished(health.Sending(at, probe), outcome, TimeSpan.FromSeconds(10), at);

    /// <summary>Sixty outcomes ten seconds apart from <paramref name="from"/>, one failure in <paramref name="failEvery"/>, never two in a row.</summary>
    private static DateTimeOffset Teach(ModelHealth health, DateTimeOffset from, int failEvery)
    {
        var at = from;
        for (var i = 1; i <= 60; i++)
        {
            at += TimeSpan.FromSeconds(10);
            Outcome(health, at, i % failEvery == 1 ? AttemptOutcome.Overloaded : AttemptOutcome.Success);
        }

        Assert.False(health.IsDown);
        return at;
    }

    /// <summary>Failures in a row, a second apart, until the health judges the model down; how many it took.</summary>
    private static int FailuresUntilDown(ModelHealth health, DateTimeOffset from)
    {
        var failures = 0;
        while (!health.IsDown && failures < 20)
        {
            Outcome(health, from + TimeSpan.FromSeconds(++failures), AttemptOutcome.Overloaded);
        }

        return failures;
    }

    [Fact]
    public void Outage_InAnHourTheModelRarelyFails_IsJudgedAfterThreeFailures()
    {
        var health = Learning();
        var at = Teach(health, Night, failEvery: 10); // 6 of 60 failed: about one request in eight with the prior

        Assert.Equal(3, FailuresUntilDown(health, at));
    }

    [Fact]
    public void Outage_InAnHourNotYetSeen_IsJudgedAfterMinimumThroughputFailures()
    {
        var health = Learning();
        _ = Teach(health, Night, failEvery: 10);

        Assert.Equal(new CircuitBreakerOptions().MinimumThroughput, FailuresUntilDown(health, Noon));
    }

    [Fact]
    public void Outage_InAnHourTheModelFailsOftenAtRandom_TakesNearlyAsManyFailuresAsTheConfiguredRatio()
    {
        var health = Learning();
        var at = Teach(health, Night, failEvery: 2); // 45-50%: as noisy as the configured ratio allows

        Assert.InRange(FailuresUntilDown(health, at), 7, 8);
    }

    [Fact]
    public void Outage_WithoutLearning_AlwaysTakesMinimumThroughputFailures()
    {
        var health = new ModelHealth("m", new CircuitBreakerOptions(), TimeSpan.FromMinutes(2));
        var at = Teach(health, Night, failEvery: 10);

        Assert.Equal(8, FailuresUntilDown(health, at));
    }

    [Fact]
    public void FailedProbes_WhileDown_DoNotMakeTheModelLookNoisier()
    {
        var health = Learning();
        var at = Teach(health, Night, failEvery: 10);
        Assert.Equal(3, FailuresUntilDown(health, at));

        // Six failed probes; then one answers and the model is up again.
        for (var probe = 0; probe < 6; probe++)
        {
            at = health.RestingUntil(at)!.Value;
            Assert.True(health.TryClaimProbe(at));
            Outcome(health, at, AttemptOutcome.Overloaded, probe: true);
        }

        at = health.RestingUntil(at)!.Value;
        Assert.True(health.TryClaimProbe(at));
        Outcome(health, at, AttemptOutcome.Success, probe: true);
        Assert.False(health.IsDown);
        for (var i = 0; i < 3; i++)
        {
            at += TimeSpan.FromSeconds(10);
            Outcome(health, at, AttemptOutcome.Success); // what is left of the outage's evidence is spent
        }

        // Had the probes been learned as noise (about one request in five failing), the next outage would take four.
        Assert.Equal(3, FailuresUntilDown(health, at));
    }

    [Fact]
    public void Weights_InAnHourFailingOneRequestInEight_AFailureCountsAboutThreeAndASuccessCancelsAboutFour()
    {
        var health = Learning();
        var at = Teach(health, Night, failEvery: 10); // with the prior: 8 failures in 64, 12.5%

        // Down against noisy at 12.5%: ln(0.95 / 0.125) / ln(0.95 / 0.5) = 3.16 failures at the configured ratio.
        Outcome(health, at += TimeSpan.FromSeconds(1), AttemptOutcome.Overloaded);
        Assert.Equal(3.16, health.Evidence, 2);

        // A second failure, learned too, brings the share to 10 in 66 (15.2%): a success then cancels
        // ln(0.848 / 0.05) / ln(1.9) = 4.41 failures at the configured ratio.
        Outcome(health, at += TimeSpan.FromSeconds(1), AttemptOutcome.Overloaded);
        var before = health.Evidence;
        Outcome(health, at += TimeSpan.FromSeconds(1), AttemptOutcome.Success);
        Assert.InRange(before - health.Evidence, 4.35, 4.45);
    }
}
