namespace NanoBananaResilience.Tests.Resilience;

public class ChainPlannerTests
{
    private static readonly IReadOnlyList<ModelOptions> Chain = [.. NanoBananaModels.DefaultChain()];
    private static readonly PeakWindow Peak = PeakWindow.From(new PeakHoursOptions());

    private static string[] Plan(string time, params string[] resting)
    {
        var now = new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero) + TimeSpan.Parse(time, System.Globalization.CultureInfo.InvariantCulture);
        return [.. ChainPlanner.Plan(Chain, Peak, now, id => resting.Contains(id)).Select(m => m.Id)];
    }

    [Theory]
    [InlineData("09:59:59", false)]
    [InlineData("10:00:00", true)]
    [InlineData("13:59:59", true)]
    [InlineData("14:00:00", false)]
    public void Plan_AroundThePeakEdges_ReversesOnlyInside(string time, bool reversed)
    {
        string[] expected = reversed
            ? [NanoBananaModels.NanoBananaPro, NanoBananaModels.NanoBanana2]
            : [NanoBananaModels.NanoBanana2, NanoBananaModels.NanoBananaPro];

        Assert.Equal(expected, Plan(time));
    }

    [Fact]
    public void Plan_WindowAcrossMidnight_ReversesAfterMidnight()
    {
        var window = new PeakWindow(true, TimeSpan.FromHours(23), TimeSpan.FromHours(1));
        var afterMidnight = new DateTimeOffset(2025, 3, 4, 0, 30, 0, TimeSpan.Zero);

        var plan = ChainPlanner.Plan(Chain, window, afterMidnight, _ => false);

        Assert.Equal(NanoBananaModels.NanoBananaPro, plan[0].Id);
    }

    [Fact]
    public void Plan_FirstModelResting_MovesItToTheBack()
    {
        Assert.Equal([NanoBananaModels.NanoBananaPro, NanoBananaModels.NanoBanana2], Plan("02:00:00", NanoBananaModels.NanoBanana2));
    }

    [Fact]
    public void Plan_RestingAtPeak_StillGoesToTheBackOfTheReversedChain()
    {
        Assert.Equal([NanoBananaModels.NanoBanana2, NanoBananaModels.NanoBananaPro], Plan("11:00:00", NanoBananaModels.NanoBananaPro));
    }

    [Fact]
    public void Plan_AllResting_KeepsTheirOrder()
    {
        Assert.Equal([NanoBananaModels.NanoBanana2, NanoBananaModels.NanoBananaPro], Plan("02:00:00", NanoBananaModels.NanoBanana2, NanoBananaModels.NanoBananaPro));
    }

    [Fact]
    public void Plan_DoesNotChangeTheConfiguredChain()
    {
        _ = Plan("12:00:00");

        Assert.Equal(NanoBananaModels.NanoBanana2, Chain[0].Id);
    }
}
