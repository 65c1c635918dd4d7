using NanoBananaResilience.Redis.Tests.TestSupport;
using NanoBananaResilience.Redis.Worker;
using NanoBananaResilience.Testing;

namespace NanoBananaResilience.Redis.Tests;

/// <summary>
/// Four client processes share one Redis; Nano Banana 2 is down, Pro is up; 200 calls in all. The requests that reach
/// Nano Banana 2 are counted at the gateway, with Redis and without it.
/// </summary>
public sealed class FleetRouteTests(ITestOutputHelper output) : IDisposable
{
    private const int Processes = 4;
    private const int CallsEach = 50;
    // Three failures judge a model down here (CircuitBreaker:MinimumThroughput; 8 by default), so that one call's
    // attempts make the trip and the test measures the sharing, not the bar.
    private const int Trip = 3;
    private const int ProbeMs = 1000;
    private readonly RedisServer _redis = RedisServer.Start();

    [Fact]
    public async Task Nb2Down_FourProcessesWithRedis_PayOneTripAndOneProbePerInterval()
    {
        using var fleet = new Fleet(Processes);

        // Replicas in service are warm: a first job loads and compiles the client, its Redis connection and its calls.
        await WarmUpAsync(fleet);

        // Arrivals spread as in a running fleet: each process starts its calls 150 ms after the previous one.
        var (shared, sharedSeconds, sharedResults) = await RunAsync(fleet, redis: true, staggerMs: 150);
        var (local, localSeconds, localResults) = await RunAsync(fleet, redis: false, staggerMs: 150);
        var (lockstep, lockstepSeconds, _) = await RunAsync(fleet, redis: true, staggerMs: 0);

        var slots = (int)(sharedSeconds * 1000 / ProbeMs) + 1;
        output.WriteLine($"NB2 requests, {Processes} processes × {CallsEach} calls: with Redis {shared} in {sharedSeconds:0.0} s (bound {Trip} + {slots} probe slots); without Redis {local} in {localSeconds:0.0} s; with Redis, all starting at once: {lockstep} in {lockstepSeconds:0.0} s");
        Assert.All(sharedResults.Concat(localResults), r => Assert.Equal(CallsEach, r.Succeeded));
        Assert.True(shared <= Trip + slots, $"with Redis NB2 got {shared} requests, more than one trip ({Trip}) and one probe per {ProbeMs} ms ({slots})");

        // Without Redis each process learns the outage alone: a trip each at least, then its own probes.
        Assert.True(local >= Processes * Trip, $"without Redis NB2 got {local} requests");
        Assert.True(local > shared);

        // All at once, every process may be in its first call before any trip is known: at most a trip each.
        Assert.True(lockstep <= Processes * Trip + (int)(lockstepSeconds * 1000 / ProbeMs) + 1, $"all at once, NB2 got {lockstep} requests");
    }

    private async Task WarmUpAsync(Fleet fleet)
    {
        await using var gateway = await Gateways.Nb2DownProUpAsync();
        var prefix = States.Prefix();
        _ = await fleet.RunAsync(
            _ => new Job { Gateway = gateway.BaseAddress.ToString(), Redis = _redis.ConnectionString, Prefix = prefix, Models = [SimulatedModels.NanoBananaPro], Calls = 5 },
            TimeSpan.FromMinutes(1));
    }

    private async Task<(long Nb2, double Seconds, Result[] Results)> RunAsync(Fleet fleet, bool redis, int staggerMs)
    {
        await using var gateway = await Gateways.Nb2DownProUpAsync();
        var prefix = States.Prefix();
        var started = DateTime.UtcNow;
        var results = await fleet.RunAsync(
            i => new Job
            {
                Gateway = gateway.BaseAddress.ToString(),
                Redis = redis ? _redis.ConnectionString : null,
                Prefix = prefix,
                Models = [SimulatedModels.NanoBanana2, SimulatedModels.NanoBananaPro],
                Calls = CallsEach,
                Concurrency = 2,
                PaceMs = 100,
                StartDelayMs = i * staggerMs,
                BreakMs = 1000,
                MaxBreakMs = 2000,
                ProbeMs = ProbeMs,
                DownAfter = Trip,
            },
            TimeSpan.FromMinutes(2));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var first = gateway.Handler.Statistics.GetRecentRequests().Select(r => r.Timestamp).DefaultIfEmpty().Min();
        output.WriteLine($"{(redis ? "Redis" : "local")}, stagger {staggerMs} ms: NB2 sent per process {string.Join(", ", results.Select(r => r.Sent.GetValueOrDefault(SimulatedModels.NanoBanana2)))}; NB2 at ms {string.Join(" ", gateway.Handler.Statistics.GetRecentRequests().Where(r => r.Model == SimulatedModels.NanoBanana2).Select(r => (int)(r.Timestamp - first).TotalMilliseconds))}");
        Assert.All(results, r => Assert.Equal(0, r.Escaped));
        return (Gateways.Requests(gateway, SimulatedModels.NanoBanana2), seconds, results);
    }

    public void Dispose() => _redis.Dispose();
}
