using NanoBananaResilience.Redis.Tests.TestSupport;
using NanoBananaResilience.Redis.Worker;
using NanoBananaResilience.Testing;

namespace NanoBananaResilience.Redis.Tests;

/// <summary>
/// Ten client processes hammer one period budget that fits 100 images, 20 runs over. The ten processes are started
/// once and run the 20 runs as jobs (each run a fresh budget under its own key prefix, with new clients and new
/// connections): starting 200 processes would cost minutes on two cores and test nothing more.
/// </summary>
public sealed class FleetBudgetTests(ITestOutputHelper output) : IDisposable
{
    private const int Processes = 10;
    private const int CallsEach = 12;       // 120 calls for a budget of 100 images
    private const int Runs = 20;
    private readonly RedisServer _redis = RedisServer.Start();

    [Fact]
    public async Task TenProcesses_TwentyRuns_NeverPayMoreThanTheBudgetFits()
    {
        using var fleet = new Fleet(Processes);
        await using var gateway = await Gateways.AllUpAsync();
        var paid = new List<long>();
        for (var run = 0; run < Runs; run++)
        {
            var before = gateway.Handler.Statistics.TotalRequests;
            var results = await RunAsync(fleet, gateway, _redis.ConnectionString);
            var served = gateway.Handler.Statistics.TotalRequests - before;
            var images = results.Sum(r => r.Images);
            paid.Add(images);
            Assert.All(results, r => Assert.Equal(0, r.Escaped));
            Assert.True(images <= 100, $"run {run}: {images} images paid for a budget of 100");
            Assert.True(served <= 100, $"run {run}: the gateway served {served} requests for a budget of 100");
            Assert.Equal(Processes * CallsEach, results.Sum(r => r.Succeeded + r.Failed));

            // Nothing leaks: unless Redis failed to answer in time, the whole budget is spent and the rest refused.
            if (!results.Any(r => r.SawUnavailable))
            {
                Assert.Equal(100, images);
                Assert.Equal(Processes * CallsEach - 100, results.Sum(r => r.Outcomes.GetValueOrDefault(nameof(AttemptOutcome.BudgetExceeded))));
            }
        }

        var local = (await RunAsync(fleet, gateway, redis: null)).Sum(r => r.Images);
        output.WriteLine($"images paid per run with Redis (budget fits 100): {string.Join(", ", paid)}; without Redis, one run: {local}");
        Assert.Equal(Processes * CallsEach, local); // each process keeps its own budget of 100, so all 120 calls pay
    }

    private static Task<Result[]> RunAsync(Fleet fleet, SimulatedGeminiServer gateway, string? redis)
    {
        var prefix = States.Prefix();
        return fleet.RunAsync(
            _ => new Job
            {
                Gateway = gateway.BaseAddress.ToString(),
                Redis = redis,
                Prefix = prefix,
                Models = [SimulatedModels.NanoBanana2],
                Calls = CallsEach,
                Concurrency = 3,
                PriceUsd = 0.01m,
                BudgetUsd = 1.00m,
                OperationTimeoutMs = 2000,
            },
            TimeSpan.FromMinutes(2));
    }

    public void Dispose() => _redis.Dispose();
}
