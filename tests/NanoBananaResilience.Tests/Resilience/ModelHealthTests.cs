namespace NanoBananaResilience.Tests.Resilience;

public class ModelHealthTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 3, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RestingUntil_New_IsNull()
    {
        var health = new ModelHealth("m");

        Assert.Null(health.RestingUntil(Now));
        Assert.False(health.IsResting(Now));
        Assert.Equal(0, health.ConsecutiveTrips);
    }

    [Fact]
    public void Opened_RestsUntilTheBreakEndsAndCountsTrips()
    {
        var health = new ModelHealth("m");

        health.Opened(Now.AddSeconds(30), Now.AddSeconds(10));

        Assert.Equal(Now.AddSeconds(30), health.RestingUntil(Now));
        Assert.Null(health.RestingUntil(Now.AddSeconds(30))); // the end is exclusive
        Assert.Equal(1, health.ConsecutiveTrips);
    }

    [Fact]
    public void CoolDown_LaterOfBreakAndCooldownWins_AndIsNeverShortened()
    {
        var health = new ModelHealth("m");

        health.Opened(Now.AddSeconds(30), Now.AddSeconds(10));
        health.CoolDown(Now.AddSeconds(90));
        health.CoolDown(Now.AddSeconds(10));

        Assert.Equal(Now.AddSeconds(90), health.RestingUntil(Now));
    }

    [Fact]
    public void Closed_ResetsTheTripCountButNotTheCooldown()
    {
        var health = new ModelHealth("m");
        health.Opened(Now.AddSeconds(1), Now);
        health.Opened(Now.AddSeconds(2), Now);
        health.CoolDown(Now.AddMinutes(5));

        health.Closed();

        Assert.Equal(0, health.ConsecutiveTrips);
        Assert.True(health.IsResting(Now.AddMinutes(1)));
    }

    [Fact]
    public void Closed_EndsTheBreakAtOnce_SoAProbeThatClosedItFreesTheModel()
    {
        var health = new ModelHealth("m");
        health.Opened(Now.AddMinutes(15), Now.AddSeconds(30));

        health.Closed();

        Assert.Null(health.RestingUntil(Now));
        Assert.Null(health.ProbeAt(Now));
    }

    [Fact]
    public void ProbeAt_WhileTheBreakerAloneRests_IsTheFirstProbeSlot()
    {
        var health = new ModelHealth("m");
        health.Opened(Now.AddMinutes(15), Now.AddSeconds(30));

        Assert.Equal(Now.AddSeconds(30), health.ProbeAt(Now));
        Assert.Equal(Now.AddMinutes(1), health.ProbeAt(Now.AddMinutes(1))); // a slot that has come is "now"
    }

    [Fact]
    public void ProbeAt_DuringAServerCooldown_IsNull_TheHintIsHonouredNotProbed()
    {
        var health = new ModelHealth("m");
        health.Opened(Now.AddMinutes(15), Now.AddSeconds(30));
        health.CoolDown(Now.AddMinutes(2));

        Assert.Null(health.ProbeAt(Now.AddMinutes(1)));
        Assert.False(health.TryClaimProbe(Now.AddMinutes(1), TimeSpan.FromSeconds(30)));
        Assert.Equal(Now.AddMinutes(2), health.ProbeAt(Now.AddMinutes(2)));
    }

    [Fact]
    public void TryClaimProbe_OneCallerPerSlot_ThenTheNextSlotIsAnIntervalLater()
    {
        var health = new ModelHealth("m");
        health.Opened(Now.AddMinutes(15), Now.AddSeconds(30));
        var interval = TimeSpan.FromSeconds(30);

        Assert.False(health.TryClaimProbe(Now.AddSeconds(29), interval)); // the slot has not come
        Assert.True(health.TryClaimProbe(Now.AddSeconds(30), interval));
        Assert.False(health.TryClaimProbe(Now.AddSeconds(30), interval)); // taken by the first caller
        Assert.Equal(Now.AddSeconds(60), health.ProbeAt(Now.AddSeconds(30)));
        Assert.True(health.TryClaimProbe(Now.AddSeconds(60), interval));
    }

    [Fact]
    public async Task WhenChanged_CompletesOnTheNextChangeOnly()
    {
        var health = new ModelHealth("m");
        var before = health.WhenChanged();

        health.Changed();
        var after = health.WhenChanged();

        await before.WaitAsync(TestContext.Current.CancellationToken);
        Assert.False(after.IsCompleted);
    }

    [Fact]
    public void RefusedUntil_LearnsTheBreakWithoutCountingATrip()
    {
        var health = new ModelHealth("m");

        health.RefusedUntil(Now.AddMinutes(1), Now.AddSeconds(30));

        Assert.Equal(Now.AddMinutes(1), health.RestingUntil(Now));
        Assert.Equal(Now.AddSeconds(30), health.ProbeAt(Now));
        Assert.Equal(0, health.ConsecutiveTrips);
    }

    [Fact]
    public void SlowestRecentAnswer_MoreThanItKeeps_ForgetsTheOldestAndReportsTheSlowestOfTheRest()
    {
        var health = new ModelHealth("m");
        Assert.Null(health.SlowestRecentAnswer());

        for (var i = 0; i < 8; i++)
        {
            health.AnsweredIn(TimeSpan.FromSeconds(50));
        }

        Assert.Equal(TimeSpan.FromSeconds(50), health.SlowestRecentAnswer());
        for (var i = 0; i < 32; i++)
        {
            health.AnsweredIn(TimeSpan.FromSeconds(1 + (i % 3)));
        }

        // The last 32 answers are remembered: the eight slow ones have been pushed out.
        Assert.Equal(TimeSpan.FromSeconds(3), health.SlowestRecentAnswer());
    }
}
