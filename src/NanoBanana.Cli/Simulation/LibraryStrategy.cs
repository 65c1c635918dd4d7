using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;

namespace NanoBanana.Cli.Simulation;

/// <summary>The library as an application uses it — registered through DI from configuration — on the run's clock and simulator.</summary>
internal sealed class LibraryStrategy : IStrategyRun
{
    /// <summary>The jitter source of the call in flight: flows with the call through every await inside the library.</summary>
    private static readonly AsyncLocal<Random?> CallRandom = new();

    private readonly ServiceProvider _services;
    private readonly int _seed;
    private readonly INanoBananaClient _client;

    private LibraryStrategy(StrategyContext context, IReadOnlyDictionary<string, string?> overrides)
    {
        _seed = context.Seed;
        _services = ClientFactory.Build(Configuration(overrides), (services, http) =>
        {
            services.AddSingleton<TimeProvider>(context.Clock);

            // The run's seed drives the jitter too, one source per call (as the article strategies have), so a call's
            // delays do not depend on the order concurrent calls happened to draw in.
            services.PostConfigure<NanoBananaOptions>(o => o.Retry.Randomizer ??= () => CallRandom.Value?.NextDouble() ?? Random.Shared.NextDouble());
            http.ConfigurePrimaryHttpMessageHandler(() => context.Simulator).SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        }, narrator: null);
        _client = _services.GetRequiredService<INanoBananaClient>();
    }

    /// <summary>The simulation's endpoint and key, then the keys under <c>NanoBanana</c> that <paramref name="overrides"/> sets.</summary>
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["NanoBanana:BaseAddress"] = "http://127.0.0.1/v1/", // never dialled: the simulator answers in-process
            ["NanoBanana:ApiKey"] = "simulated-key",
        };
        foreach (var (key, value) in overrides)
        {
            settings["NanoBanana:" + key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    /// <summary>The library with its defaults (no overrides), or with configuration keys under <c>NanoBanana</c> set.</summary>
    public static Strategy Define(string name, string description, IReadOnlyDictionary<string, string?> overrides)
        => new(name, description, context => new LibraryStrategy(context, overrides));

    public async Task<CallResult> CallAsync(int index, CancellationToken deadline)
    {
        // The library keeps its own deadline (TotalTimeout); the runner's is not passed, so a call that outlives it is
        // caught by the runner as a harness error rather than hidden as a cancellation.
        CallRandom.Value = new Random(unchecked((_seed * 1_000_003) + index));
        try
        {
            var result = await _client.GenerateAsync("a nano banana in a tiny spacesuit", CancellationToken.None).ConfigureAwait(false);
            return new(true, result.Model);
        }
        catch (NanoBananaException)
        {
            return CallResult.Failed;
        }
    }

    public void Dispose() => _services.Dispose();
}
