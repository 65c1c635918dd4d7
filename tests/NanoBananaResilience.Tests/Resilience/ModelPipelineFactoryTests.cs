namespace NanoBananaResilience.Tests.Resilience;

public class ModelPipelineFactoryTests
{
    [Theory]
    [InlineData(0, 30)]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(3, 240)]
    [InlineData(4, 300)]
    [InlineData(50, 300)]
    public void BreakFor_RepeatedTrips_DoublesUpToMaxBreakDuration(int previousTrips, int seconds)
    {
        var breaker = new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(30), MaxBreakDuration = TimeSpan.FromMinutes(5) };

        Assert.Equal(TimeSpan.FromSeconds(seconds), ModelPipelineFactory.BreakFor(breaker, previousTrips));
    }
}
