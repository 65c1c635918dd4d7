using System.Diagnostics;
using NanoBananaResilience.Redis.Tests.TestSupport;
using NanoBananaResilience.Redis.Worker;
using NanoBananaResilience.Testing;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis.Tests;

/// <summary>
/// Redis is killed (SIGKILL) in the middle of three client processes' calls and started again, empty. No call may fail
/// because of it, and the state the processes hold must be back in Redis soon after it returns.
/// </summary>
public sealed class RedisOutageTests(ITestOutputHelper output) : IDisposable
{
    private const int Processes = 3;
    private readonly RedisServer _redis = RedisServer.Start();

    [Fact]
    public async Task KillNine_MidRun_NoCallFails_AndTheStateRejoinsWithinFiveSeconds()
    {
        using var fleet = new Fleet(Processes);
        await using var gateway = await Gateways.Nb2DownProUpAsync();
        var prefix = States.Prefix();
        var healthKey = $"{prefix}:health:{gateway.BaseAddress.Authority}:{SimulatedModels.NanoBanana2}";
        var spentKey = "{" + prefix + ":budget:3600}:sum";
        var run = fleet.RunAsync(
            _ => new Job
            {
                Gateway = gateway.BaseAddress.ToString(),
                Redis = _redis.ConnectionString,
                Prefix = prefix,
                Models = [SimulatedModels.NanoBanana2, SimulatedModels.NanoBananaPro],
                Calls = 60,
                Concurrency = 2,
                PaceMs = 100,
                BreakMs = 30_000,        // the trip outlives the outage, so there is a trip to write back
                MaxBreakMs = 60_000,
                BudgetUsd = 100m,
                FailOpen = true,         // a budget that keeps paying while Redis is away (the default refuses)
                FailOpenShare = 0.5m,
            },
            TimeSpan.FromMinutes(2));

        // Mid-run: the trip and some spend are in Redis.
        using (var before = ConnectionMultiplexer.Connect(_redis.ConnectionString))
        {
            Assert.True(await States.EventuallyAsync(() => before.GetDatabase().KeyExists(healthKey) && before.GetDatabase().KeyExists(spentKey), ok => ok, TimeSpan.FromSeconds(10)), "the fleet's state never reached Redis");
        }

        await Task.Delay(500, TestContext.Current.CancellationToken);
        _redis.Kill();
        await Task.Delay(1000, TestContext.Current.CancellationToken);   // calls go on without Redis
        _redis.Restart();                // empty: nothing was saved
        var restarted = Stopwatch.StartNew();
        using var after = ConnectionMultiplexer.Connect(_redis.ConnectionString + ",abortConnect=false");
        var rejoined = await States.EventuallyAsync(() => after.GetDatabase().KeyExists(healthKey) && after.GetDatabase().KeyExists(spentKey), ok => ok, TimeSpan.FromSeconds(10));
        var rejoinTime = restarted.Elapsed;

        var results = await run;
        output.WriteLine($"state back in Redis {rejoinTime.TotalMilliseconds:0} ms after it restarted empty; calls: {string.Join(", ", results.Select(r => $"{r.Succeeded} ok / {r.Failed} failed / {r.Escaped} escaped, saw Redis away: {r.SawUnavailable}, rejoins {r.Rejoins}"))}");
        Assert.True(rejoined, "the processes never wrote their state back");
        Assert.True(rejoinTime <= TimeSpan.FromSeconds(5), $"the state took {rejoinTime} to rejoin");
        Assert.All(results, r =>
        {
            Assert.Equal(0, r.Escaped);
            Assert.Equal(0, r.Failed);
            Assert.Equal(60, r.Succeeded);
        });
        Assert.Contains(results, r => r.SawUnavailable);
        Assert.All(results, r => Assert.True(r.Rejoins >= 1, "a process did not rejoin"));

        // Nothing that matters was lost: the spend Redis holds is every process's whole spend, the calls before the
        // kill included, and Nano Banana 2 is still known to be down.
        var db = after.GetDatabase();
        var spent = await States.EventuallyAsync(() => (long?)db.HashGet(spentKey, "spent") ?? 0, s => s == results.Sum(r => r.PaidMicros), TimeSpan.FromSeconds(5));
        Assert.Equal(results.Sum(r => r.PaidMicros), spent);
        Assert.True((long)db.HashGet(healthKey, "open") > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    public void Dispose() => _redis.Dispose();
}
