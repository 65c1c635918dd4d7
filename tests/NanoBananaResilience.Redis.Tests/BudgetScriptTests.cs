using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Redis.Tests.TestSupport;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis.Tests;

/// <summary>The budget's Lua scripts against a real Redis: holds, refusals, settlements, ageing, leases, learning, expiry.</summary>
public sealed class BudgetScriptTests : IDisposable
{
    private const string Model = "gemini-3.1-flash-image-preview";
    private readonly RedisServer _redis = RedisServer.Start();
    private readonly FakeTimeProvider _time = new(States.Start);
    private readonly string _prefix = States.Prefix();

    [Fact]
    public async Task Reserve_HoldsUntilTheLimit_ThenRefuses_AndAReleaseMakesRoom()
    {
        using var state = States.Create(_redis.ConnectionString, _time, _prefix);
        var holds = new List<SharedBudgetReservation>();
        for (var i = 0; i < 4; i++)
        {
            holds.Add(await state.ReserveAsync(Model, 0.25m, priceLearned: true, 1.00m, CancellationToken.None));
        }

        Assert.All(holds, h => Assert.Equal(SharedBudgetStatus.Reserved, h.Status));
        var refused = await state.ReserveAsync(Model, 0.25m, priceLearned: true, 1.00m, CancellationToken.None);
        Assert.Equal(SharedBudgetStatus.Refused, refused.Status);
        Assert.Null(refused.FitsAt); // only holds fill the budget: time alone frees nothing

        state.Settle(holds[0], costUsd: null, perImageUsd: null);
        var after = await States.EventuallyAsync(() => state.ReserveAsync(Model, 0.25m, true, 1.00m, CancellationToken.None).AsTask().Result, r => r.Status == SharedBudgetStatus.Reserved, TimeSpan.FromSeconds(5));
        Assert.Equal(SharedBudgetStatus.Reserved, after.Status);
    }

    [Fact]
    public async Task Settle_BooksTheCost_WhichAgesOutWithItsMinutePlusThePeriod()
    {
        using var state = States.Create(_redis.ConnectionString, _time, _prefix);
        for (var i = 0; i < 4; i++)
        {
            var hold = await state.ReserveAsync(Model, 0.25m, true, 1.00m, CancellationToken.None);
            state.Settle(hold, 0.25m, 0.25m);
        }

        var refused = await States.EventuallyAsync(() => state.ReserveAsync(Model, 0.25m, true, 1.00m, CancellationToken.None).AsTask().Result, r => r.FitsAt is not null, TimeSpan.FromSeconds(5));
        Assert.Equal(SharedBudgetStatus.Refused, refused.Status);
        var minuteEnd = new DateTimeOffset(States.Start.Ticks - (States.Start.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero) + TimeSpan.FromMinutes(1);
        Assert.Equal(minuteEnd + TimeSpan.FromHours(1), refused.FitsAt);

        _time.SetUtcNow(refused.FitsAt!.Value - TimeSpan.FromMilliseconds(1));
        Assert.Equal(SharedBudgetStatus.Refused, (await state.ReserveAsync(Model, 0.25m, true, 1.00m, CancellationToken.None)).Status);
        _time.SetUtcNow(refused.FitsAt!.Value);
        Assert.Equal(SharedBudgetStatus.Reserved, (await state.ReserveAsync(Model, 0.25m, true, 1.00m, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Reserve_FromEightProcessesAtOnce_HoldsExactlyWhatFits()
    {
        var states = Enumerable.Range(0, 8).Select(_ => States.Create(_redis.ConnectionString, _time, _prefix, o => o.OperationTimeout = TimeSpan.FromSeconds(5))).ToList();
        try
        {
            var answers = await Task.WhenAll(states.SelectMany(s => Enumerable.Range(0, 40).Select(_ => s.ReserveAsync(Model, 0.01m, true, 1.00m, CancellationToken.None).AsTask())));
            Assert.Equal(100, answers.Count(a => a.Status == SharedBudgetStatus.Reserved));
            Assert.Equal(220, answers.Count(a => a.Status == SharedBudgetStatus.Refused));
        }
        finally
        {
            states.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Reserve_AHoldNeverSettled_IsReleasedWhenItsLeaseEnds()
    {
        using var state = States.Create(_redis.ConnectionString, _time, _prefix);
        Assert.Equal(SharedBudgetStatus.Reserved, (await state.ReserveAsync(Model, 1.00m, true, 1.00m, CancellationToken.None)).Status);
        Assert.Equal(SharedBudgetStatus.Refused, (await state.ReserveAsync(Model, 1.00m, true, 1.00m, CancellationToken.None)).Status);

        // The lease is TotalTimeout (30 s here) + 30 s: a process that died holding it cannot block the budget longer.
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(SharedBudgetStatus.Refused, (await state.ReserveAsync(Model, 1.00m, true, 1.00m, CancellationToken.None)).Status);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SharedBudgetStatus.Reserved, (await state.ReserveAsync(Model, 1.00m, true, 1.00m, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Reserve_ANewModel_RunsOneCallAcrossTheFleetUntilItsPriceIsBilled()
    {
        using var first = States.Create(_redis.ConnectionString, _time, _prefix);
        using var second = States.Create(_redis.ConnectionString, _time, _prefix);
        var learner = await first.ReserveAsync(Model, 0.25m, priceLearned: false, 10m, CancellationToken.None);
        Assert.Equal(SharedBudgetStatus.Reserved, learner.Status);
        Assert.True(learner.Learning);
        Assert.Equal(SharedBudgetStatus.Wait, (await second.ReserveAsync(Model, 0.25m, priceLearned: false, 10m, CancellationToken.None)).Status);

        // The gateway billed more than configured: every process holds the billed price from now on.
        first.Settle(learner, 0.30m, 0.30m);
        var next = await States.EventuallyAsync(() => second.ReserveAsync(Model, 0.25m, false, 10m, CancellationToken.None).AsTask().Result, r => r.Status != SharedBudgetStatus.Wait, TimeSpan.FromSeconds(5));
        Assert.Equal(SharedBudgetStatus.Reserved, next.Status);
        Assert.False(next.Learning);
        Assert.Equal(0.30m, next.PriceUsd);
    }

    [Fact]
    public async Task EveryKey_ExpiresOnItsOwn()
    {
        using var state = States.Create(_redis.ConnectionString, _time, _prefix);
        var hold = await state.ReserveAsync(Model, 0.25m, false, 1.00m, CancellationToken.None);
        state.Settle(hold, 0.25m, 0.25m);
        var health = state.JoinHealth(Model, _ => { });
        health.Opened(_time.GetUtcNow() + TimeSpan.FromMinutes(2), 1);
        health.CoolDown(_time.GetUtcNow() + TimeSpan.FromMinutes(3));
        Assert.True(await health.TryClaimProbeAsync(_time.GetUtcNow(), TimeSpan.FromSeconds(5), CancellationToken.None));

        using var inspect = States.Inspect(_redis);
        var server = inspect.GetServer(_redis.ConnectionString);
        var db = inspect.GetDatabase();
        var keys = await States.EventuallyAsync(() => server.Keys(pattern: "*" + _prefix + "*").ToList(), k => k.Count >= 6, TimeSpan.FromSeconds(5));

        // The budget's spend, order, sum and price (held and leases emptied, and the learning key went, with the
        // settlement); the health hash; the probe slot.
        string[] expected = [":spend", ":order", ":sum", ":price:" + Model, ":health:127.0.0.1:9:" + Model, ":probe:127.0.0.1:9:" + Model];
        Assert.True(expected.All(e => keys.Any(k => ((string)k!).EndsWith(e, StringComparison.Ordinal))), string.Join(", ", keys));
        Assert.Equal(6, keys.Count);
        foreach (var key in keys)
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.True(ttl is { } t && t > TimeSpan.Zero, $"{key} has no expiry");
            var bound = ((string)key!).Contains(":health:", StringComparison.Ordinal) ? TimeSpan.FromMinutes(3 + 1)   // the later time + MaxBreakDuration
                : ((string)key!).Contains(":probe:", StringComparison.Ordinal) ? TimeSpan.FromSeconds(5)                 // one ProbeInterval
                : TimeSpan.FromHours(1) + TimeSpan.FromSeconds(120);                                                     // period + lease + a minute
            Assert.True(ttl <= bound, $"{key} lives {ttl}, more than {bound}");
        }
    }

    public void Dispose() => _redis.Dispose();
}
