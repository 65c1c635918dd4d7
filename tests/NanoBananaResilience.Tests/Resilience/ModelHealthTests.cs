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

        health.Opened(Now.AddSeconds(30));

        Assert.Equal(Now.AddSeconds(30), health.RestingUntil(Now));
        Assert.Null(health.RestingUntil(Now.AddSeconds(30))); // the end is exclusive
        Assert.Equal(1, health.ConsecutiveTrips);
    }

    [Fact]
    public void CoolDown_LaterOfBreakAndCooldownWins_AndIsNeverShortened()
    {
        var health = new ModelHealth("m");

        health.Opened(Now.AddSeconds(30));
        health.CoolDown(Now.AddSeconds(90));
        health.CoolDown(Now.AddSeconds(10));

        Assert.Equal(Now.AddSeconds(90), health.RestingUntil(Now));
    }

    [Fact]
    public void Closed_ResetsTheTripCountButNotTheCooldown()
    {
        var health = new ModelHealth("m");
        health.Opened(Now.AddSeconds(1));
        health.Opened(Now.AddSeconds(2));
        health.CoolDown(Now.AddMinutes(5));

        health.Closed();

        Assert.Equal(0, health.ConsecutiveTrips);
        Assert.True(health.IsResting(Now.AddMinutes(1)));
    }
}
