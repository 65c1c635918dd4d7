using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Routing;

/// <summary>Configured headers on real sockets: each gateway gets its own and the shared ones, never another's, and a secret value shows nowhere.</summary>
public sealed class GatewayHeaderTests : IAsyncDisposable
{
    private const string Secret = "pk-S3CRET-0123456789abcdef";

    /// <summary>A real bound on each call: a hang guard that fails the test, never a speed check.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly List<LoopbackGateway> _gateways = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }
    }

    /// <summary>A gateway that keeps every request's headers and answers each with <paramref name="status"/> and <paramref name="body"/>.</summary>
    private async Task<(LoopbackGateway Gateway, ConcurrentQueue<Dictionary<string, string>> Received)> StartAsync(int status, string body)
    {
        var received = new ConcurrentQueue<Dictionary<string, string>>();
        var bytes = Encoding.UTF8.GetBytes(body);
        var gateway = await LoopbackGateway.StartAsync((context, _) =>
        {
            received.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            return LoopbackGateway.WriteAsync(context, status, bytes);
        });
        _gateways.Add(gateway);
        return (gateway, received);
    }

    [Fact]
    public async Task GenerateAsync_TwoGateways_EachGetsItsOwnHeadersAndTheSharedOnesAndNeverTheOthers()
    {
        var (portkey, atPortkey) = await StartAsync(503, WireFixtures.Text("google-503.json"));
        var (openRouter, atOpenRouter) = await StartAsync(200, Replies.ImageBody());
        var options = new NanoBananaOptions();
        options.Models.Add(new ModelOptions { Id = Harness.Nb2, MaxAttempts = 1 });
        options.Headers["x-shared"] = "everyone";
        options.Headers["x-portkey-strict-open-ai-compliance"] = "false";
        options.Gateways.Add(new GatewayOptions
        {
            Name = "portkey",
            BaseAddress = portkey.BaseAddress,
            ApiKey = "AIza-portkey-key",
            Headers = { ["x-portkey-provider"] = "google", ["x-portkey-api-key"] = Secret },
        });
        options.Gateways.Add(new GatewayOptions
        {
            Name = "openrouter",
            BaseAddress = openRouter.BaseAddress,
            ApiKey = "sk-or-key",
            Headers =
            {
                ["HTTP-Referer"] = "https://app.example/",
                ["X-Title"] = "Header test",
                ["X-SHARED"] = "openrouter's own",
                ["x-portkey-strict-open-ai-compliance"] = string.Empty,
            },
        });
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var engine = new NanoBananaEngine(options, new FakeTimeProvider(Harness.OffPeak), random: () => 0.0);

        // A 503 at the first gateway moves the call to the second at once: no wait on the clock.
        var result = await new NanoBananaClient(http, engine).GenerateAsync("a cat", TestContext.Current.CancellationToken).WaitAsync(Guard, TestContext.Current.CancellationToken);

        Assert.Equal([("portkey", AttemptOutcome.Overloaded), ("openrouter", AttemptOutcome.Success)], result.Attempts.Select(a => (a.Gateway, a.Outcome)));
        var first = Assert.Single(atPortkey);
        Assert.Equal(("everyone", "false", "google", Secret), (first["x-shared"], first["x-portkey-strict-open-ai-compliance"], first["x-portkey-provider"], first["x-portkey-api-key"]));
        Assert.Equal("Bearer AIza-portkey-key", first["Authorization"]);
        Assert.DoesNotContain(first.Keys, k => k is "HTTP-Referer" or "X-Title");
        var second = Assert.Single(atOpenRouter);
        Assert.Equal(("openrouter's own", "https://app.example/", "Header test"), (second["x-shared"], second["HTTP-Referer"], second["X-Title"]));
        Assert.Equal("Bearer sk-or-key", second["Authorization"]);
        Assert.DoesNotContain(second.Keys, k => k.StartsWith("x-portkey-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GenerateAsync_SingleGatewayFromConfiguration_SendsItsHeadersAndTheSecretShowsInNoLogAndNoException()
    {
        // The gateway refuses the call and echoes the secret header, as some echo the Authorization header.
        var (gateway, received) = await StartAsync(401, $$$"""{"error":{"code":401,"message":"x-portkey-api-key not valid: {{{Secret}}}","status":"UNAUTHENTICATED"}}""");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NanoBanana:BaseAddress"] = gateway.BaseAddress.ToString(),
            ["NanoBanana:ApiKey"] = "AIza-single-key",
            ["NanoBanana:PeakHours:Enabled"] = "false",
            ["NanoBanana:Headers:x-portkey-provider"] = "google",
            ["NanoBanana:Headers:x-portkey-api-key"] = Secret,
        }).Build();
        var logs = new FakeLogCollector();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Harness.OffPeak))
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddNanoBananaClient(configuration.GetSection(NanoBananaOptions.SectionName))
            .ConfigureHttpClient(http =>
            {
                // A computed header still goes on the HttpClient; a configured header of the same name wins over it.
                http.DefaultRequestHeaders.Add("x-request-source", "computed");
                http.DefaultRequestHeaders.Add("x-portkey-provider", "openai");
            });
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => provider.GetRequiredService<INanoBananaClient>().GenerateAsync("a cat", TestContext.Current.CancellationToken).WaitAsync(Guard, TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.Unauthorized, error.Outcome);
        var request = Assert.Single(received);
        Assert.Equal(("google", Secret, "computed", "Bearer AIza-single-key"), (request["x-portkey-provider"], request["x-portkey-api-key"], request["x-request-source"], request["Authorization"]));

        // The echo was read, and cleaned, into what the caller sees.
        Assert.Contains(Redaction.Marker, error.Message, StringComparison.Ordinal);
        var records = logs.GetSnapshot();
        Assert.Contains(records, r => r.Message.Contains("x-portkey-api-key", StringComparison.Ordinal)); // the headers were logged, by name
        var seen = records.Select(r => $"{r.Message} {r.Exception}")
            .Concat([error.Message, error.ToString(), error.BodyExcerpt ?? string.Empty, error.ProviderStatus ?? string.Empty])
            .Concat(error.Attempts.Select(a => $"{a} {a.Detail}"));
        Assert.All(seen, text => Assert.DoesNotContain("S3CRET", text, StringComparison.Ordinal));
    }

    [Fact]
    public void GatewayHeaders_ShortValuesAreWordsNotSecrets()
    {
        var gateway = new GatewayOptions { Headers = { ["x-portkey-api-key"] = Secret, ["x-portkey-provider"] = "vertex-ai" } };

        var headers = new GatewayHeaders(gateway, new Dictionary<string, string> { ["x-portkey-strict-open-ai-compliance"] = "false" });

        // "vertex-ai error: …" and "false" in a gateway's message stay readable; the key does not.
        Assert.Equal([Secret], headers.Secrets);
    }
}
