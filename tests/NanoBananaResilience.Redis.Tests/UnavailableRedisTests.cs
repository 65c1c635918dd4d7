using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NanoBananaResilience.Redis.Tests.TestSupport;
using NanoBananaResilience.Testing;

namespace NanoBananaResilience.Redis.Tests;

/// <summary>
/// A client registered with AddRedisState whose Redis is not there: calls keep working on local state, the budget
/// follows its fail mode with a typed reason, the outage is logged once and reported, and the password never shows.
/// No Redis server is needed: nothing listens on the port.
/// </summary>
public sealed class UnavailableRedisTests
{
    private const string Password = "s3cret-redis-pass";

    [Fact]
    public async Task FailClosed_RefusesPaidRequests_WithATypedReason_AndSendsNothing()
    {
        await using var gateway = await Gateways.AllUpAsync();
        var logs = new FakeLogCollector();
        await using var provider = Build(gateway, logs, BudgetFailMode.FailClosed);
        var client = provider.GetRequiredService<INanoBananaClient>();

        for (var i = 0; i < 3; i++)
        {
            var e = await Assert.ThrowsAsync<NanoBananaException>(() => client.GenerateAsync("a banana", TestContext.Current.CancellationToken));
            Assert.Equal(AttemptOutcome.BudgetExceeded, e.Outcome);
            Assert.Contains("shared budget store did not answer", e.Attempts[^1].Detail, StringComparison.Ordinal);
        }

        Assert.Equal(0, gateway.Handler.Statistics.TotalRequests);
        var status = provider.GetRequiredService<NanoBananaRedisStatus>();
        Assert.False(status.IsAvailable);
        Assert.NotNull(status.UnavailableSince);
        AssertNoPassword(logs, status);
        Assert.Single(logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("Redis does not answer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailOpen_PaysUpToTheLocalShare_AndHealthStaysLocal()
    {
        await using var gateway = await Gateways.AllUpAsync();
        var logs = new FakeLogCollector();
        await using var provider = Build(gateway, logs, BudgetFailMode.FailOpen);
        var client = provider.GetRequiredService<INanoBananaClient>();

        // A limit of 1.00 USD, a share of 0.1: this process pays 10 images of 0.01 USD on its own, then refuses.
        var paid = 0;
        for (var i = 0; i < 12; i++)
        {
            try
            {
                paid += (await client.GenerateAsync("a banana", TestContext.Current.CancellationToken)).Images.Count;
            }
            catch (NanoBananaException e) when (e.Outcome == AttemptOutcome.BudgetExceeded)
            {
                Assert.Contains("fail open", e.Attempts[^1].Detail, StringComparison.Ordinal);
            }
        }

        Assert.Equal(10, paid);
        AssertNoPassword(logs, provider.GetRequiredService<NanoBananaRedisStatus>());
    }

    [Fact]
    public void AddRedisState_InvalidOptions_NameEachSetting()
    {
        var services = new ServiceCollection();
        var builder = services.AddNanoBananaClient(o => o.ApiKey = "sk");
        var e = Assert.Throws<ArgumentException>(() => builder.AddRedisState(o =>
        {
            o.ConnectionString = "127.0.0.1:1,password=" + Password + ",notAnOption=1";
            o.KeyPrefix = "a b";
            o.FailOpenShare = 0;
            o.OperationTimeout = TimeSpan.Zero;
        }));
        Assert.Contains("Redis:ConnectionString", e.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:KeyPrefix", e.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:FailOpenShare", e.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:OperationTimeout", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, e.Message, StringComparison.Ordinal);

        Assert.Throws<InvalidOperationException>(() => services.AddHttpClient("other").AddRedisState("127.0.0.1:1"));
    }

    private static ServiceProvider Build(SimulatedGeminiServer gateway, FakeLogCollector logs, BudgetFailMode mode)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace));
        services.AddNanoBananaClient(o =>
        {
            o.BaseAddress = gateway.BaseAddress;
            o.ApiKey = "sk-test";
            o.PeakHours.Enabled = false;
            o.Models.Add(new ModelOptions { Id = SimulatedModels.NanoBanana2, MaxAttempts = 1, PricePerImageUsd = 0.01m });
            o.Budget.MaxUsdPerPeriod = 1.00m;
        }).AddRedisState(o =>
        {
            o.ConnectionString = $"127.0.0.1:{RedisServer.FreePort()},password={Password},connectTimeout=200";
            o.BudgetFailMode = mode;
            o.OperationTimeout = TimeSpan.FromMilliseconds(100);
        });
        return services.BuildServiceProvider();
    }

    private static void AssertNoPassword(FakeLogCollector logs, NanoBananaRedisStatus status)
    {
        Assert.DoesNotContain(Password, status.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, status.LastError ?? string.Empty, StringComparison.Ordinal);
        Assert.All(logs.GetSnapshot(), r => Assert.DoesNotContain(Password, r.Message + r.Exception, StringComparison.Ordinal));
    }
}
