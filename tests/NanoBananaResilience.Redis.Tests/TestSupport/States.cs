using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis.Tests.TestSupport;

/// <summary>Shared states built directly over a real Redis, one per simulated process, for the unit-level tests.</summary>
internal static class States
{
    public static readonly DateTimeOffset Start = new(2026, 1, 6, 3, 0, 0, TimeSpan.Zero);

    public static NanoBananaOptions Client()
    {
        var options = new NanoBananaOptions { BaseAddress = new Uri("http://127.0.0.1:9/v1/"), ApiKey = "sk-test" };
        options.Budget.Period = TimeSpan.FromHours(1);
        options.CircuitBreaker.ProbeInterval = TimeSpan.FromSeconds(5);
        options.CircuitBreaker.MaxBreakDuration = TimeSpan.FromMinutes(1);
        options.TotalTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    public static RedisSharedState Create(string connectionString, TimeProvider time, string prefix, Action<NanoBananaRedisOptions>? configure = null, NanoBananaOptions? client = null)
    {
        var options = new NanoBananaRedisOptions { ConnectionString = connectionString, KeyPrefix = prefix };
        configure?.Invoke(options);
        var store = new RedisStore(options, new ServiceCollection().BuildServiceProvider(), time, NullLogger.Instance);
        return new RedisSharedState(options, client ?? Client(), null, store, time);
    }

    /// <summary>A prefix no other test uses, so tests sharing a server never see each other's keys.</summary>
    public static string Prefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<T> EventuallyAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var value = read();
            if (done(value) || DateTime.UtcNow > until)
            {
                return value;
            }

            await Task.Delay(5);
        }
    }

    public static ConnectionMultiplexer Inspect(RedisServer redis) => ConnectionMultiplexer.Connect(redis.ConnectionString);
}
