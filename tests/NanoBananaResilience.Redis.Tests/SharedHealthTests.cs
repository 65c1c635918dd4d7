using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Redis.Tests.TestSupport;

namespace NanoBananaResilience.Redis.Tests;

/// <summary>Model health shared between states (each standing for a process) over a real Redis.</summary>
public sealed class SharedHealthTests(ITestOutputHelper output) : IDisposable
{
    private const string Model = "gemini-3.1-flash-image-preview";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);
    private readonly RedisServer _redis = RedisServer.Start();
    private readonly string _prefix = States.Prefix();

    [Fact]
    public async Task ATrip_ACooldownAndARecovery_ReachTheOtherProcess()
    {
        var time = new FakeTimeProvider(States.Start);
        using var a = States.Create(_redis.ConnectionString, time, _prefix);
        using var b = States.Create(_redis.ConnectionString, time, _prefix);
        var seen = new ConcurrentQueue<SharedModelHealth>();
        var fromA = a.JoinHealth(Model, _ => { });
        _ = b.JoinHealth(Model, seen.Enqueue);
        await WaitSubscribedAsync(b);

        var clock = Stopwatch.StartNew();
        var until = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        fromA.Opened(until, 1);
        var trip = await States.EventuallyAsync(() => seen.LastOrDefault(), s => s.IsOpen, Within);
        output.WriteLine($"a trip reached the other process in {clock.Elapsed.TotalMilliseconds:0.0} ms");

        // The trip is a's: b rests one ProbeInterval (5 s) longer, so that a tests the model first when the break ends.
        Assert.Equal(until + TimeSpan.FromSeconds(5), trip.OpenUntil);
        Assert.Equal(1, trip.ConsecutiveTrips);

        var coolUntil = time.GetUtcNow() + TimeSpan.FromMinutes(3);
        fromA.CoolDown(coolUntil);
        Assert.Equal(coolUntil, (await States.EventuallyAsync(() => seen.LastOrDefault(), s => s.CoolUntil == coolUntil, Within)).CoolUntil);

        fromA.Closed();
        var closed = await States.EventuallyAsync(() => seen.LastOrDefault(), s => !s.IsOpen, Within);
        Assert.False(closed.IsOpen);
        Assert.Equal(0, closed.ConsecutiveTrips);
        Assert.Equal(coolUntil, closed.CoolUntil); // a recovery ends the break, not the server's cooldown
    }

    [Fact]
    public async Task ModelHealth_JoinedToTheFleet_RestsAModelAnotherProcessTripped_AndReopensOnItsRecovery()
    {
        var time = new FakeTimeProvider(States.Start);
        using var a = States.Create(_redis.ConnectionString, time, _prefix);
        using var b = States.Create(_redis.ConnectionString, time, _prefix);
        var healthA = new ModelHealth(Model, new CircuitBreakerOptions(), TimeSpan.FromMinutes(2), fleet: a);
        var healthB = new ModelHealth(Model, new CircuitBreakerOptions(), TimeSpan.FromMinutes(2), fleet: b);
        await WaitSubscribedAsync(b);
        var now = time.GetUtcNow();
        Assert.Null(healthB.RestingUntil(now));

        var changed = healthB.WhenChanged();
        healthA.Opened(now, now + TimeSpan.FromSeconds(5));
        Assert.NotNull(await States.EventuallyAsync(() => healthB.RestingUntil(now), r => r is not null, Within));
        Assert.True(changed.IsCompleted, "calls waiting in the other process are woken");
        Assert.True(healthB.IsDown, "judged down by the other process");

        healthA.Closed();
        Assert.Null(await States.EventuallyAsync(() => healthB.RestingUntil(now), r => r is null, Within));
    }

    [Fact]
    public async Task AProcessStartingDuringAnOutage_KnowsItBeforeItsFirstDecision()
    {
        var time = new FakeTimeProvider(States.Start);
        using var a = States.Create(_redis.ConnectionString, time, _prefix);
        var healthA = new ModelHealth(Model, new CircuitBreakerOptions(), TimeSpan.FromMinutes(2), fleet: a);
        var now = time.GetUtcNow();
        healthA.Opened(now, now + TimeSpan.FromSeconds(5));
        using var inspect = States.Inspect(_redis);
        _ = await States.EventuallyAsync(() => inspect.GetDatabase().KeyExists(a.Keys.Health(a.Route, Model)), e => e, Within);

        // The join does not wait for Redis: the first admission waits for the fleet's view instead, and already skips.
        using var late = States.Create(_redis.ConnectionString, time, _prefix);
        var lateHealth = new ModelHealth(Model, new CircuitBreakerOptions(), TimeSpan.FromMinutes(2), fleet: late);
        Assert.Equal(Admission.Skip, await lateHealth.AdmitAsync(now, TestContext.Current.CancellationToken));
        Assert.True(lateHealth.IsDown, "judged down by the process that was there first");
        Assert.NotNull(lateHealth.RestingUntil(now));
    }

    [Fact]
    public async Task TheProbeSlot_IsTakenByOneProcessPerInterval()
    {
        var time = new FakeTimeProvider(States.Start);
        var states = Enumerable.Range(0, 4).Select(_ => States.Create(_redis.ConnectionString, time, _prefix)).ToList();
        try
        {
            var links = states.Select(s => s.JoinHealth(Model, _ => { })).ToList();
            var claims = await Task.WhenAll(links.Select(l => Task.Run(async () => await l.TryClaimProbeAsync(time.GetUtcNow(), TimeSpan.FromMilliseconds(300), CancellationToken.None))));
            Assert.Equal(1, claims.Count(c => c));

            // The slot is Redis's (PX): it frees itself after the interval, for one process again.
            var again = 0;
            for (var deadline = DateTime.UtcNow + Within; again == 0 && DateTime.UtcNow < deadline;)
            {
                foreach (var link in links)
                {
                    again += await link.TryClaimProbeAsync(time.GetUtcNow(), TimeSpan.FromSeconds(30), CancellationToken.None) ? 1 : 0;
                }

                if (again == 0)
                {
                    await Task.Delay(10, TestContext.Current.CancellationToken);
                }
            }

            Assert.Equal(1, again);
        }
        finally
        {
            states.ForEach(s => s.Dispose());
        }
    }

    // A subscription completes in the background; a message published before it is read at the next refresh instead.
    private static Task<bool> WaitSubscribedAsync(RedisSharedState state) => States.EventuallyAsync(() => state.IsSubscribed, s => s, Within);

    public void Dispose() => _redis.Dispose();
}
