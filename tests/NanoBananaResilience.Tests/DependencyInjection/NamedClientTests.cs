using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.DependencyInjection;

public class NamedClientTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddNanoBananaClient_TwoNamesOnOneGateway_KeepSeparateHealth()
    {
        // Both names send to the same gateway and model. NB2 overloads for "batch" only: it is judged down there,
        // and "interactive" still sends to NB2 first. Health is per name, never shared (docs/architecture.md).
        var time = new DrivenClock(Harness.OffPeak);
        var batchGateway = new ScriptedHandler().On(Harness.Nb2, Replies.Overloaded()).On(Harness.Pro, Replies.Image());
        var interactiveGateway = new ScriptedHandler().On(Harness.Nb2, Replies.Image()).On(Harness.Pro, Replies.Image());
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddNanoBananaClient("batch", o => Configure(o, TimeSpan.FromMinutes(30))).ConfigurePrimaryHttpMessageHandler(() => batchGateway);
        services.AddNanoBananaClient("interactive", o => Configure(o, TimeSpan.FromSeconds(20))).ConfigurePrimaryHttpMessageHandler(() => interactiveGateway);
        using var provider = services.BuildServiceProvider();
        var batch = provider.GetRequiredKeyedService<INanoBananaClient>("batch");
        var interactive = provider.GetRequiredKeyedService<INanoBananaClient>("interactive");

        var batchResult = await time.DriveAsync(batch.GenerateAsync("a", Token));
        var interactiveResult = await time.DriveAsync(interactive.GenerateAsync("b", Token));

        Assert.Equal(Harness.Pro, batchResult.Model);
        Assert.Equal(ModelBreakerState.Open, batch.GetModelStatuses().Single(s => s.Model == Harness.Nb2).BreakerState);
        Assert.Equal(Harness.Nb2, interactiveResult.Model);
        Assert.All(interactive.GetModelStatuses(), s => Assert.Equal((ModelBreakerState.Closed, (DateTimeOffset?)null), (s.BreakerState, s.RestingUntil)));
        Assert.Equal(1, interactiveGateway.Count(Harness.Nb2));
        Assert.Equal(0, interactiveGateway.Count(Harness.Pro));
    }

    [Fact]
    public void AddNanoBananaClient_TwoNames_EachHasItsOwnOptionsEngineAndCostMeter()
    {
        var services = new ServiceCollection();
        services.AddNanoBananaClient("batch", o => Configure(o, TimeSpan.FromMinutes(30)));
        services.AddNanoBananaClient("interactive", o => Configure(o, TimeSpan.FromSeconds(20)));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<NanoBananaOptions>>();

        Assert.Equal(TimeSpan.FromMinutes(30), options.Get("batch").TotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Get("interactive").TotalTimeout);
        Assert.NotSame(provider.GetRequiredKeyedService<NanoBananaEngine>("batch"), provider.GetRequiredKeyedService<NanoBananaEngine>("interactive"));
        Assert.Same(provider.GetRequiredKeyedService<NanoBananaEngine>("batch"), provider.GetRequiredKeyedService<NanoBananaEngine>("batch"));
        Assert.Same(provider.GetRequiredKeyedService<INanoBananaCostMeter>("batch"), provider.GetRequiredKeyedService<INanoBananaClient>("batch").Costs);
        Assert.NotSame(provider.GetRequiredKeyedService<INanoBananaCostMeter>("batch"), provider.GetRequiredKeyedService<INanoBananaCostMeter>("interactive"));
        Assert.Null(provider.GetService<INanoBananaClient>()); // no unnamed client unless registered
    }

    [Fact]
    public void AddNanoBananaClient_NameOnly_BindsTheClientsOwnSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NanoBanana:BaseAddress"] = "https://unnamed.test/v1/",
            ["NanoBanana:ApiKey"] = "unnamed-key",
            ["NanoBanana:Clients:batch:BaseAddress"] = "https://batch.test/v1/",
            ["NanoBanana:Clients:batch:ApiKey"] = "batch-key",
            ["NanoBanana:Clients:batch:Models:0:Id"] = NanoBananaModels.NanoBananaPro,
            ["NanoBanana:Clients:batch:TotalTimeout"] = "00:30:00",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);

        services.AddNanoBananaClient();
        services.AddNanoBananaClient("batch");
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<NanoBananaOptions>>();

        var batch = options.Get("batch");
        Assert.Equal(new Uri("https://batch.test/v1/"), batch.BaseAddress);
        Assert.Equal(NanoBananaModels.NanoBananaPro, Assert.Single(batch.Models).Id);
        Assert.Equal(TimeSpan.FromMinutes(30), batch.TotalTimeout);
        Assert.Equal(new Uri("https://unnamed.test/v1/"), options.CurrentValue.BaseAddress); // the unnamed client is unchanged
        Assert.NotNull(provider.GetRequiredService<INanoBananaClient>());
        Assert.NotSame(provider.GetRequiredService<NanoBananaEngine>(), provider.GetRequiredKeyedService<NanoBananaEngine>("batch"));
    }

    [Fact]
    public async Task AddNanoBananaClient_NamedInvalidOptions_FailsAtStartNamingTheClientsKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddNanoBananaClient("batch", o =>
        {
            Configure(o, TimeSpan.FromMinutes(30));
            o.Retry.MaxDelay = TimeSpan.FromSeconds(-1);
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Token));

        Assert.Contains("NanoBanana:Clients:batch:Retry:MaxDelay must not be negative; got -00:00:01.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void AddNanoBananaClient_EmptyName_Throws(string name)
        => Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddNanoBananaClient(name, o => { }));

    [Fact]
    public void AddNanoBananaClient_Named_ResolvesWithFromKeyedServices()
    {
        var services = new ServiceCollection();
        services.AddNanoBananaClient("batch", o => Configure(o, TimeSpan.FromMinutes(30)));
        services.AddTransient<BatchConsumer>();
        using var provider = services.BuildServiceProvider();

        var consumer = provider.GetRequiredService<BatchConsumer>();

        Assert.Equal(TimeSpan.FromMinutes(30), provider.GetRequiredService<IOptionsMonitor<NanoBananaOptions>>().Get("batch").TotalTimeout);
        Assert.NotNull(consumer.Client);
    }

    private static void Configure(NanoBananaOptions options, TimeSpan totalTimeout)
    {
        options.BaseAddress = new Uri("https://gateway.test/");
        options.ApiKey = Harness.ApiKey;
        options.TotalTimeout = totalTimeout;
        options.AttemptTimeout = TimeSpan.FromSeconds(10);
        options.CircuitBreaker.MinimumThroughput = 3; // one call's three failures judge a model down
    }

    private sealed class BatchConsumer([FromKeyedServices("batch")] INanoBananaClient client)
    {
        public INanoBananaClient Client { get; } = client;
    }
}
