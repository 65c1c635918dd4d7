using Microsoft.Extensions.Time.Testing;

namespace NanoBananaResilience.Tests.Batch;

public sealed class OffPeakSchedulerTests
{
    private static readonly DateTimeOffset Monday = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DecideAsync_Immediate_SendsNowWhateverTheHour()
    {
        var clock = new FakeTimeProvider(Monday.AddHours(11));
        var scheduler = new OffPeakScheduler(new BatchOptions(), NanoBananaModelFactory.NanoBananaSchedule(clock));

        Assert.Equal(BatchScheduleDecision.Immediate, await scheduler.DecideAsync(() => { }, Token));
    }

    [Theory]
    [InlineData(9.99)]
    [InlineData(14)] // the window is half-open: 14:00 is already off-peak
    [InlineData(23)]
    public async Task DecideAsync_OutsideTheWindow_SendsNowOffPeak(double hour)
    {
        var clock = new FakeTimeProvider(Monday.AddHours(hour));
        var scheduler = new OffPeakScheduler(Options(Monday.AddDays(1)), NanoBananaModelFactory.NanoBananaSchedule(clock));

        Assert.Equal(BatchScheduleDecision.OffPeak, await scheduler.DecideAsync(() => { }, Token));
    }

    [Fact]
    public async Task DecideAsync_InsideTheWindowWithTimeToSpare_WaitsUntilItsEnd()
    {
        var clock = new FakeTimeProvider(Monday.AddHours(10));
        var scheduler = new OffPeakScheduler(Options(Monday.AddHours(15)), NanoBananaModelFactory.NanoBananaSchedule(clock)); // 14:00 + 1 h margin = the deadline
        var waitStarted = false;

        var decision = scheduler.DecideAsync(() => waitStarted = true, Token);
        Assert.True(waitStarted);
        Assert.Equal(Monday.AddHours(14), scheduler.WaitingUntil);
        clock.Advance(TimeSpan.FromHours(4) - TimeSpan.FromTicks(1));
        Assert.False(decision.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(BatchScheduleDecision.DeferredToOffPeak, await decision);
        Assert.Null(scheduler.WaitingUntil);
        Assert.Equal(BatchScheduleDecision.DeferredToOffPeak, await scheduler.DecideAsync(() => { }, Token)); // held back with the rest
    }

    [Fact]
    public async Task DecideAsync_InsideTheWindowWithoutTheMargin_SendsNowForTheDeadline()
    {
        var clock = new FakeTimeProvider(Monday.AddHours(10));
        var scheduler = new OffPeakScheduler(Options(Monday.AddHours(15).AddTicks(-1)), NanoBananaModelFactory.NanoBananaSchedule(clock));

        Assert.Equal(BatchScheduleDecision.PeakForDeadline, await scheduler.DecideAsync(() => { }, Token));
    }

    [Theory]
    [InlineData(23, 26)] // 23:00 inside 22:00–02:00 ends at 02:00 the next day
    [InlineData(25, 26)] // 01:00 ends at 02:00 the same day
    public void DecideAsync_WindowWrappingMidnight_WaitsUntilTheRightEnd(int hour, int end)
    {
        var clock = new FakeTimeProvider(Monday.AddHours(hour));
        var schedule = NanoBananaModelFactory.NanoBananaSchedule(clock, peakStart: TimeSpan.FromHours(22), peakEnd: TimeSpan.FromHours(2));
        var scheduler = new OffPeakScheduler(Options(Monday.AddDays(3)), schedule);

        _ = scheduler.DecideAsync(() => { }, Token);

        Assert.Equal(Monday.AddHours(end), scheduler.WaitingUntil);
    }

    [Fact]
    public async Task DecideAsync_Cancelled_WhileWaiting_Throws()
    {
        var clock = new FakeTimeProvider(Monday.AddHours(11));
        var scheduler = new OffPeakScheduler(Options(Monday.AddDays(1)), NanoBananaModelFactory.NanoBananaSchedule(clock));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var decision = scheduler.DecideAsync(() => { }, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => decision);
    }

    [Fact]
    public async Task DecideAsync_ClientWithoutPeakHours_SendsNowOffPeak()
    {
        var clock = new FakeTimeProvider(Monday.AddHours(11));
        var scheduler = new OffPeakScheduler(Options(Monday.AddDays(1)), NanoBananaModelFactory.NanoBananaSchedule(clock, peakHoursEnabled: false));

        Assert.Equal(BatchScheduleDecision.OffPeak, await scheduler.DecideAsync(() => { }, Token));
    }

    private static BatchOptions Options(DateTimeOffset deadline)
        => new() { Scheduling = BatchScheduling.PreferOffPeak, Deadline = deadline };
}
