using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience.Benchmarks.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using NanoBananaResilience.Redis;
using StackExchange.Redis;

namespace NanoBananaResilience.Benchmarks.State;

/// <summary>
/// What state shared through Redis adds to a call: the same success path (in-memory gateway, a period budget on) with
/// the client's own state (the baseline), with Redis sharing health only (no budget: nothing on the call path), and
/// with Redis sharing health and the budget (one reservation on the call path, the settlement sent after it). Redis
/// is a <c>redis-server</c> this suite starts on a free loopback port, without persistence.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SharedStateBenchmarks
{
    private static readonly Uri BaseAddress = new("http://127.0.0.1/v1/");
    private Process? _redis;
    private ServiceProvider _local = null!;
    private ServiceProvider _healthOnly = null!;
    private ServiceProvider _shared = null!;
    private INanoBananaClient _localClient = null!;
    private INanoBananaClient _healthOnlyClient = null!;
    private INanoBananaClient _sharedClient = null!;
    private ConnectionMultiplexer _bare = null!;
    private RedisSharedState _state = null!;

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in (string[])["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"])
        {
            start.ArgumentList.Add(argument);
        }

        _redis = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start (is it installed?)");
        Thread.Sleep(300);
        var redis = $"127.0.0.1:{port}";
        (_local, _localClient) = Client(budget: true, redis: null);
        (_healthOnly, _healthOnlyClient) = Client(budget: false, redis);
        (_shared, _sharedClient) = Client(budget: true, redis);
        _bare = ConnectionMultiplexer.Connect(redis);
        var stateOptions = new NanoBananaRedisOptions { ConnectionString = redis, KeyPrefix = "benchstate" };
        var client = Gateway.Options(BaseAddress);
        _state = new RedisSharedState(stateOptions, client, null, new RedisStore(stateOptions, _local, TimeProvider.System, NullLogger.Instance), TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _state.Dispose();
        _bare.Dispose();
        _local.Dispose();
        _healthOnly.Dispose();
        _shared.Dispose();
        _redis?.Kill();
        _redis?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "local state, budget on")]
    [BenchmarkCategory("sequential")]
    public async Task<int> Local() => (await _localClient.GenerateAsync("a banana")).Images.Count;

    [Benchmark(Description = "Redis, health only")]
    [BenchmarkCategory("sequential")]
    public async Task<int> RedisHealth() => (await _healthOnlyClient.GenerateAsync("a banana")).Images.Count;

    [Benchmark(Description = "Redis, health and budget")]
    [BenchmarkCategory("sequential")]
    public async Task<int> RedisBudget() => (await _sharedClient.GenerateAsync("a banana")).Images.Count;

    /// <summary>The floor: one round trip to the same Redis through StackExchange.Redis, nothing else.</summary>
    [Benchmark(Description = "floor: one Redis PING")]
    [BenchmarkCategory("round trip")]
    public Task<TimeSpan> Ping() => _bare.GetDatabase().PingAsync();

    /// <summary>The budget's Redis part alone: one reservation, and its settlement sent without waiting.</summary>
    [Benchmark(Description = "reservation + settlement alone")]
    [BenchmarkCategory("round trip")]
    public async Task ReserveAndSettle()
    {
        var hold = await _state.ReserveAsync("gemini-3.1-flash-image-preview", 0.067m, priceLearned: true, 1_000_000_000m, CancellationToken.None);
        _state.Settle(hold, 0.067m, 0.067m);
    }

    private static (ServiceProvider, INanoBananaClient) Client(bool budget, string? redis)
    {
        var services = new ServiceCollection();
        var builder = services.AddNanoBananaClient(options =>
        {
            var defaults = Gateway.Options(BaseAddress);
            options.BaseAddress = defaults.BaseAddress;
            options.ApiKey = defaults.ApiKey;
            options.PeakHours.Enabled = false;
            if (budget)
            {
                // Large enough never to refuse in a run; the benchmark measures the check, not a refusal.
                options.Budget.MaxUsdPerPeriod = 1_000_000_000m;
            }
        }).ConfigurePrimaryHttpMessageHandler(() => new InMemoryGateway());
        if (redis is not null)
        {
            builder.AddRedisState(options =>
            {
                options.ConnectionString = redis;
                options.KeyPrefix = "bench" + Guid.NewGuid().ToString("N")[..8];
            });
        }

        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<INanoBananaClient>());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
