using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.DependencyInjection;

public class NanoBananaServiceCollectionExtensionsTests
{
    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static Dictionary<string, string?> ValidSection() => new()
    {
        ["NanoBanana:BaseAddress"] = "https://gateway.test/api/v1/",
        ["NanoBanana:ApiKey"] = Harness.ApiKey,
    };

    [Fact]
    public void AddNanoBananaClient_NoArguments_BindsTheNanoBananaSection()
    {
        var values = ValidSection();
        values["NanoBanana:Models:0:Id"] = "google/gemini-3-pro-image-preview";
        values["NanoBanana:Models:0:MaxAttempts"] = "4";
        values["NanoBanana:PeakHours:Start"] = "09:30:00";
        values["NanoBanana:Retry:MaxRetryAfter"] = "00:00:20";
        values["NanoBanana:CircuitBreaker:BreakDuration"] = "00:02:00";
        values["NanoBanana:ImageConfigPlacement"] = "Both";
        var services = new ServiceCollection().AddSingleton(Configuration(values));

        services.AddNanoBananaClient();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<NanoBananaOptions>>().Value;

        Assert.Equal(new Uri("https://gateway.test/api/v1/"), options.BaseAddress);
        Assert.Equal(Harness.ApiKey, options.ApiKey);
        var model = Assert.Single(options.Models);
        Assert.Equal(("google/gemini-3-pro-image-preview", 4), (model.Id, model.MaxAttempts));
        Assert.Equal(new TimeSpan(9, 30, 0), options.PeakHours.Start);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Retry.MaxRetryAfter);
        Assert.Equal(TimeSpan.FromMinutes(2), options.CircuitBreaker.BreakDuration);
        Assert.Equal(ImageConfigPlacement.Both, options.ImageConfigPlacement);
    }

    [Fact]
    public void AddNanoBananaClient_Action_ConfiguresTheOptions()
    {
        var services = new ServiceCollection();

        services.AddNanoBananaClient(o =>
        {
            o.BaseAddress = new Uri("https://example.test/v1/");
            o.ApiKey = "k";
            o.TotalTimeout = TimeSpan.FromMinutes(3);
        });
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<NanoBananaOptions>>().Value;

        Assert.Equal(new Uri("https://example.test/v1/"), options.BaseAddress);
        Assert.Equal(TimeSpan.FromMinutes(3), options.TotalTimeout);
    }

    [Fact]
    public void AddNanoBananaClient_Section_BindsThatSection()
    {
        var configuration = Configuration(new()
        {
            ["Images:Gemini:BaseAddress"] = "https://other.test/",
            ["Images:Gemini:ApiKey"] = "k2",
            ["Images:Gemini:AttemptTimeout"] = "00:00:45",
        });
        var services = new ServiceCollection();

        services.AddNanoBananaClient(configuration.GetSection("Images:Gemini"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<NanoBananaOptions>>().Value;

        Assert.Equal(new Uri("https://other.test/"), options.BaseAddress);
        Assert.Equal("k2", options.ApiKey);
        Assert.Equal(TimeSpan.FromSeconds(45), options.AttemptTimeout);
    }

    [Fact]
    public void AddNanoBananaClient_ReturnsTheHttpClientBuilderOfTheTypedClient()
    {
        var services = new ServiceCollection();

        var builder = services.AddNanoBananaClient(o => { });

        Assert.IsAssignableFrom<IHttpClientBuilder>(builder);
        Assert.Contains(services, d => d.ServiceType == typeof(INanoBananaClient));
        Assert.Contains(nameof(INanoBananaClient), builder.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void AddNanoBananaClient_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddNanoBananaClient((Action<NanoBananaOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddNanoBananaClient((IConfigurationSection)null!));
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddNanoBananaClient());
    }

    [Fact]
    public async Task AddNanoBananaClient_InvalidOptions_FailHostStartWithTheMessage()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NanoBanana:BaseAddress"] = "http://gateway.example.com/",
            ["NanoBanana:ApiKey"] = Harness.ApiKey,
        });
        builder.Services.AddNanoBananaClient();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("NanoBanana:BaseAddress 'http://gateway.example.com/' uses http to a non-loopback host", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Harness.ApiKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddNanoBananaClient_ValidOptions_HostStarts()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(ValidSection());
        builder.Services.AddNanoBananaClient();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(host.Services.GetRequiredService<INanoBananaClient>());
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void AddNanoBananaClient_HttpClient_HasAnInfiniteTimeout()
    {
        var services = new ServiceCollection();
        var builder = services.AddNanoBananaClient(o =>
        {
            o.BaseAddress = new Uri("https://gateway.test/");
            o.ApiKey = "k";
        });
        using var provider = services.BuildServiceProvider();

        using var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(builder.Name);

        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }

    [Fact]
    public async Task AddNanoBananaClient_HostRedactsOnlyItsOwnHeaders_TheKeyIsStillNotLogged()
    {
        // A host that names its own sensitive headers for every client turns off the factory's redact-everything
        // default, and the factory's Trace logs would then print our Authorization header as it is.
        var logs = new FakeLogCollector();
        var handler = new ScriptedHandler().On(Harness.Nb2, Replies.Image()).On(Harness.Pro, Replies.Image()); // the real clock: either may come first
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)))
            .ConfigureHttpClientDefaults(b => b.RedactLoggedHeaders(["X-Host-Secret"]));
        services.AddNanoBananaClient(o =>
            {
                o.BaseAddress = new Uri("https://gateway.test/");
                o.ApiKey = Harness.ApiKey;
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<INanoBananaClient>().GenerateAsync("a", TestContext.Current.CancellationToken);

        var records = logs.GetSnapshot();
        Assert.Contains(records, r => r.Message.Contains("Request Headers", StringComparison.Ordinal)); // the headers were logged
        Assert.All(records, r => Assert.DoesNotContain(Harness.ApiKey, r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddNanoBananaClient_ResolvedClients_ShareOneEngineAndItsBreakers()
    {
        var time = new DrivenClock(Harness.OffPeak);
        var handler = new ScriptedHandler().On(Harness.Nb2, Replies.Overloaded()).On(Harness.Pro, Replies.Image());
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddNanoBananaClient(o =>
            {
                o.BaseAddress = new Uri("https://gateway.test/");
                o.ApiKey = "k";
                o.CircuitBreaker.MinimumThroughput = 3; // one call's three failures judge a model down
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        using var provider = services.BuildServiceProvider();

        var first = provider.GetRequiredService<INanoBananaClient>();
        var second = provider.GetRequiredService<INanoBananaClient>();
        Assert.NotSame(first, second);
        Assert.Same(provider.GetRequiredService<NanoBananaEngine>(), provider.GetRequiredService<NanoBananaEngine>());

        // The first client's failures judge NB2 down; the second client sees it and skips NB2.
        await time.DriveAsync(first.GenerateAsync("a", TestContext.Current.CancellationToken));
        Assert.Equal(ModelBreakerState.Open, second.GetModelStatuses().Single(s => s.Model == Harness.Nb2).BreakerState);
        var result = await time.DriveAsync(second.GenerateAsync("b", TestContext.Current.CancellationToken));

        Assert.Equal(Harness.Pro, result.Model);
        Assert.Equal(3, handler.Count(Harness.Nb2));
        Assert.Equal(2, handler.Count(Harness.Pro));
        handler.AssertAllResponsesDisposed();
    }
}
