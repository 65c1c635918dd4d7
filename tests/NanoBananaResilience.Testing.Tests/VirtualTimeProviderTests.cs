using System.Diagnostics;
using System.Net;
using NanoBananaResilience.Testing.Tests.TestSupport;

namespace NanoBananaResilience.Testing.Tests;

// The driver watches the thread pool to decide the work is idle; running alone keeps these tests quick.
[Collection(nameof(VirtualTimeProviderTests))]
[CollectionDefinition(nameof(VirtualTimeProviderTests), DisableParallelization = true)]
public sealed class VirtualTimeProviderTests
{
    [Fact]
    public async Task RunAsync_DelayRacingLongerTimeout_DelayWinsAtItsDueTime()
    {
        var clock = new VirtualTimeProvider(Wire.Monday);

        var (elapsed, timedOut) = await clock.RunAsync(async () =>
        {
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(120), clock);
            await Task.Delay(TimeSpan.FromSeconds(30), clock, attempt.Token).ConfigureAwait(false);
            return (clock.GetUtcNow() - Wire.Monday, attempt.IsCancellationRequested);
        }, TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromSeconds(30), elapsed);
        Assert.False(timedOut);
        Assert.Equal(0, clock.PendingTimerCount);
    }

    [Fact]
    public async Task RunAsync_DelayRacingShorterTimeout_TimeoutWinsAtItsDueTime()
    {
        var clock = new VirtualTimeProvider(Wire.Monday);

        var elapsed = await clock.RunAsync(async () =>
        {
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(30), clock);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(120), clock, attempt.Token).ConfigureAwait(false);
                return TimeSpan.MaxValue;
            }
            catch (OperationCanceledException)
            {
                return clock.GetUtcNow() - Wire.Monday;
            }
        }, TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromSeconds(30), elapsed);
    }

    [Fact]
    public async Task RunAsync_ContinuationHopsToThreadPool_NextTimerStillScheduledBeforeClockMoves()
    {
        // A generous settle time: the hops below must look idle to no loaded machine's scheduler for that long.
        var clock = new VirtualTimeProvider(Wire.Monday) { SettleTime = TimeSpan.FromMilliseconds(100), MaxSettleTime = TimeSpan.FromMilliseconds(500) };

        var elapsed = await clock.RunAsync(async () =>
        {
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(120), clock);
            await Task.Delay(TimeSpan.FromSeconds(30), clock, attempt.Token).ConfigureAwait(false);

            // Leave the driver's thread and do some work before scheduling the next timer.
            await Task.Run(() => Thread.SpinWait(200_000)).ConfigureAwait(false);
            await Task.Yield();
            await Task.Delay(TimeSpan.FromSeconds(10), clock, attempt.Token).ConfigureAwait(false);
            return clock.GetUtcNow() - Wire.Monday;
        }, TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromSeconds(40), elapsed);
    }

    [Fact]
    public async Task RunAsync_SimulatedDayOfCalls_EveryCallRacesItsTimeoutCorrectly()
    {
        var clock = new VirtualTimeProvider(Wire.Monday);
        using var handler = new SimulatedGeminiHandler(new SimulatedGeminiOptions { Seed = 21 }, clock);
        using var client = new HttpClient(handler) { BaseAddress = Wire.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var attemptTimeout = TimeSpan.FromSeconds(45);
        var wall = Stopwatch.StartNew();

        var results = await clock.RunAsync(async () =>
        {
            var list = new List<(HttpStatusCode? Status, TimeSpan Elapsed)>();
            for (var i = 0; i < 96; i++)
            {
                var started = clock.GetUtcNow();
                using var attempt = new CancellationTokenSource(attemptTimeout, clock);
                try
                {
                    using var response = await client.SendAsync(Wire.Request(imageSize: "4K"), attempt.Token).ConfigureAwait(false);
                    list.Add((response.StatusCode, clock.GetUtcNow() - started));
                }
                catch (OperationCanceledException)
                {
                    list.Add((null, clock.GetUtcNow() - started));
                }

                await Task.Delay(Wire.Monday.AddMinutes(15 * (i + 1)) - clock.GetUtcNow(), clock).ConfigureAwait(false);
            }

            return list;
        }, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine($"96 calls over a simulated day in {wall.Elapsed.TotalSeconds:0.0} s of real time");
        var log = handler.Statistics.GetRecentRequests();
        Assert.Equal(96, log.Count);
        Assert.Equal(Wire.Monday.AddDays(1), clock.GetUtcNow());
        for (var i = 0; i < 96; i++)
        {
            // A call ends exactly when its latency elapses, or exactly at the attempt timeout if that came first.
            var expected = log[i].Latency < attemptTimeout ? log[i].Latency : attemptTimeout;
            Assert.Equal(expected, results[i].Elapsed);
            Assert.Equal(log[i].Latency >= attemptTimeout, results[i].Status is null);
            Assert.Equal(log[i].Canceled, results[i].Status is null);
        }

        Assert.Contains(results, r => r.Status is null);
        Assert.Contains(results, r => r.Status == HttpStatusCode.OK);
    }

    [Fact]
    public async Task RunAsync_SlowPoolContinuationWithoutSettleTime_ClockWaitsForIt()
    {
        // A loaded machine: the continuation that cancels the racing timer runs on the pool and takes far longer than
        // MaxSettleTime's default. Told to wait for the pool, the driver never fires the racing timer early.
        var clock = new VirtualTimeProvider(Wire.Monday) { SettleTime = TimeSpan.Zero, MaxSettleTime = Timeout.InfiniteTimeSpan };

        var (elapsed, raced) = await clock.RunAsync(async () =>
        {
            using var race = new CancellationTokenSource(TimeSpan.FromSeconds(2), clock);
            await Task.Delay(TimeSpan.FromSeconds(1), clock).ConfigureAwait(false);
            await Task.Run(() =>
            {
                var spin = Stopwatch.StartNew();
                while (spin.ElapsedMilliseconds < 150)
                {
                    Thread.SpinWait(100);
                }
            }).ConfigureAwait(false);
            return (clock.GetUtcNow() - Wire.Monday, race.IsCancellationRequested);
        }, TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromSeconds(1), elapsed);
        Assert.False(raced);
    }

    [Fact]
    public void Advance_SeveralTimers_FireInDueOrderEachAtItsDueTime()
    {
        var clock = new VirtualTimeProvider(Wire.Monday);
        var fired = new List<(int Id, DateTimeOffset At)>();
        using var third = clock.CreateTimer(_ => fired.Add((3, clock.GetUtcNow())), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var first = clock.CreateTimer(_ => fired.Add((1, clock.GetUtcNow())), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var second = clock.CreateTimer(_ => fired.Add((2, clock.GetUtcNow())), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using var never = clock.CreateTimer(_ => fired.Add((9, clock.GetUtcNow())), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        never.Dispose();

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([1, 2, 3], fired.Select(f => f.Id));
        Assert.Equal([1, 2, 3], fired.Select(f => (int)(f.At - Wire.Monday).TotalSeconds));
        Assert.Equal(Wire.Monday.AddSeconds(5), clock.GetUtcNow());
    }

    [Fact]
    public void Advance_PeriodicTimer_FiresOncePerPeriod()
    {
        var clock = new VirtualTimeProvider(Wire.Monday);
        var ticks = 0;
        using var timer = clock.CreateTimer(_ => ticks++, null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        clock.Advance(TimeSpan.FromMinutes(10.5));

        Assert.Equal(10, ticks);
        Assert.Equal(1, clock.PendingTimerCount);
    }

    [Fact]
    public async Task RunAsync_WorkBlockedWithoutTimers_FailsAfterStallTimeout()
    {
        var clock = new VirtualTimeProvider(Wire.Monday) { StallTimeout = TimeSpan.FromMilliseconds(100) };
        var never = new TaskCompletionSource<int>();

        await Assert.ThrowsAsync<TimeoutException>(() => clock.RunAsync(() => never.Task, TestContext.Current.CancellationToken));
    }
}
