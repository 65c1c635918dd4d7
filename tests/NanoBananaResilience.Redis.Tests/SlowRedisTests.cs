using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Redis.Tests.TestSupport;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis.Tests;

/// <summary>A Redis that is connected but does not answer (every client paused): operations end at their timeout.</summary>
public sealed class SlowRedisTests : IDisposable
{
    private const string Model = "gemini-3.1-flash-image-preview";
    private readonly RedisServer _redis = RedisServer.Start();

    [Fact]
    public async Task APausedRedis_EndsEachOperationAtItsTimeout_ThenTheStateRejoins()
    {
        var time = new FakeTimeProvider(States.Start);
        using var state = States.Create(_redis.ConnectionString, time, States.Prefix(), o => o.OperationTimeout = TimeSpan.FromMilliseconds(100));
        var health = state.JoinHealth(Model, _ => { });
        Assert.Equal(SharedBudgetStatus.Reserved, (await state.ReserveAsync(Model, 0.01m, true, 1m, CancellationToken.None)).Status);

        using var admin = ConnectionMultiplexer.Connect(_redis.ConnectionString + ",allowAdmin=true");
        const int PauseMs = 1500;
        await admin.GetServer(_redis.ConnectionString).ExecuteAsync("CLIENT", "PAUSE", PauseMs.ToString(System.Globalization.CultureInfo.InvariantCulture), "ALL");
        var paused = Stopwatch.StartNew();

        var answer = await state.ReserveAsync(Model, 0.01m, true, 1m, CancellationToken.None);
        var probe = await health.TryClaimProbeAsync(time.GetUtcNow(), TimeSpan.FromSeconds(5), CancellationToken.None);
        var waited = paused.Elapsed;

        // Both answered before Redis did: the reservation as unavailable (the budget's fail mode decides), the probe
        // slot as this process's own to decide.
        Assert.Equal(SharedBudgetStatus.Unavailable, answer.Status);
        Assert.True(probe);
        Assert.True(waited < TimeSpan.FromMilliseconds(PauseMs), $"the operations waited {waited} for a Redis paused {PauseMs} ms");
        Assert.False(state.Status.IsAvailable);

        var back = await States.EventuallyAsync(() => state.ReserveAsync(Model, 0.01m, true, 1m, CancellationToken.None).AsTask().Result, r => r.Status == SharedBudgetStatus.Reserved, TimeSpan.FromSeconds(10));
        Assert.Equal(SharedBudgetStatus.Reserved, back.Status);
        Assert.True(state.Status.IsAvailable);
        Assert.True(await States.EventuallyAsync(() => state.Status.Rejoins, n => n >= 1, TimeSpan.FromSeconds(5)) >= 1);
    }

    public void Dispose() => _redis.Dispose();
}
