namespace NanoBananaResilience.Tests.Resilience;

public class PeakWindowTests
{
    private static readonly PeakWindow Default = PeakWindow.From(new PeakHoursOptions());

    private static DateTimeOffset At(string time) => new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero) + TimeSpan.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("09:59:59", false)]
    [InlineData("10:00:00", true)]
    [InlineData("12:00:00", true)]
    [InlineData("13:59:59", true)]
    [InlineData("14:00:00", false)] // half-open: 14:00 is outside
    [InlineData("14:30:00", false)]
    [InlineData("00:00:00", false)]
    public void Contains_DefaultWindow_IsHalfOpenTenToFourteen(string time, bool inside)
    {
        Assert.Equal(inside, Default.Contains(At(time)));
    }

    [Theory]
    [InlineData("21:59:59", false)]
    [InlineData("22:00:00", true)]
    [InlineData("23:59:59", true)]
    [InlineData("00:00:00", true)]
    [InlineData("01:59:59", true)]
    [InlineData("02:00:00", false)]
    [InlineData("12:00:00", false)]
    public void Contains_WindowAcrossMidnight_Wraps(string time, bool inside)
    {
        var window = new PeakWindow(true, TimeSpan.FromHours(22), TimeSpan.FromHours(2));

        Assert.Equal(inside, window.Contains(At(time)));
    }

    [Fact]
    public void Contains_NonUtcOffset_UsesUtcTime()
    {
        // 11:30 at +02:00 is 09:30 UTC: outside the window.
        var local = new DateTimeOffset(2025, 3, 3, 11, 30, 0, TimeSpan.FromHours(2));

        Assert.False(Default.Contains(local));
    }

    [Theory]
    [InlineData("09:59:59")]
    [InlineData("10:00:00")]
    [InlineData("10:00:01")]
    [InlineData("22:00:00")]
    public void Contains_EqualBounds_IsAnEmptyWindow(string time)
    {
        var window = new PeakWindow(true, TimeSpan.FromHours(10), TimeSpan.FromHours(10));

        Assert.False(window.Contains(At(time)));
    }

    [Fact]
    public void Contains_Disabled_IsNeverInside()
    {
        var window = PeakWindow.From(new PeakHoursOptions { Enabled = false });

        Assert.False(window.Contains(At("12:00:00")));
    }
}
