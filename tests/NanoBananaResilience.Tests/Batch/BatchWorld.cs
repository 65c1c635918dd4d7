using NanoBananaResilience.TestSupport.Shared;
using NanoBananaResilience.Testing;

namespace NanoBananaResilience.Tests.Batch;

/// <summary>
/// A client against the in-process simulated gateway on a virtual clock, with an output folder of its own: a batch
/// over simulated hours runs in real seconds. Counts the requests in flight at the gateway.
/// </summary>
internal sealed class BatchWorld : IDisposable
{
    public static readonly DateTimeOffset Monday = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private readonly HttpClient _http;

    public BatchWorld(DateTimeOffset start, Action<SimulatedGeminiOptions>? configure = null, Action<NanoBananaOptions>? configureClient = null)
    {
        // Every continuation runs inline on the driver (in-memory handler, ConfigureAwait(false)); see SimulateCommand.
        Clock = new VirtualTimeProvider(start) { SettleTime = TimeSpan.Zero };
        var world = new SimulatedGeminiOptions { Seed = 7, RequestLogCapacity = 100_000 };
        configure?.Invoke(world);
        Simulator = new SimulatedGeminiHandler(world, Clock);
        Gauge = new InFlightGauge { InnerHandler = Simulator };
        _http = new HttpClient(Gauge) { Timeout = Timeout.InfiniteTimeSpan };
        var options = new NanoBananaOptions { BaseAddress = new Uri("http://127.0.0.1/v1/"), ApiKey = "batch-test-key" };
        configureClient?.Invoke(options);
        Client = NanoBananaClient.Create(_http, options, Clock);
        OutputDirectory = Path.Combine(Path.GetTempPath(), "nanobanana-batch-" + Guid.NewGuid().ToString("N"));
    }

    public VirtualTimeProvider Clock { get; }

    public SimulatedGeminiHandler Simulator { get; }

    public InFlightGauge Gauge { get; }

    public NanoBananaClient Client { get; }

    public string OutputDirectory { get; }

    public string ManifestPath => Path.Combine(OutputDirectory, "manifest.jsonl");

    /// <summary>Images the gateway generated and delivered (not cancelled on the way): what the user pays for.</summary>
    public int DeliveredImages => Simulator.Statistics.GetRecentRequests().Count(r => r.Outcome == SimulatedOutcome.Success && !r.Canceled);

    public static List<NanoBananaRequest> Prompts(int count)
        => [.. Enumerable.Range(0, count).Select(i => new NanoBananaRequest($"a nano banana, variation {i}"))];

    /// <summary>Both models up all day.</summary>
    public static void NothingFails(SimulatedGeminiOptions world)
    {
        world.Models[SimulatedModels.NanoBanana2] = CertainModels.UpAllDay();
        world.Models[SimulatedModels.NanoBananaPro] = CertainModels.UpAllDay();
    }

    public BatchOptions Options(Action<BatchOptions>? configure = null)
    {
        var options = new BatchOptions { OutputDirectory = OutputDirectory };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Runs the batch on the virtual clock; <paramref name="onResult"/> may cancel the run.</summary>
    public Task<List<BatchItemResult>> RunAsync(IEnumerable<NanoBananaRequest> requests, BatchOptions options, CancellationToken cancellationToken, Action<BatchItemResult>? onResult = null)
        => Clock.RunAsync(async () =>
        {
            var results = new List<BatchItemResult>();
            await foreach (var result in Client.GenerateBatchAsync(requests, options, cancellationToken).ConfigureAwait(false))
            {
                results.Add(result);
                onResult?.Invoke(result);
            }

            return results;
        });

    public IReadOnlyList<string> ManifestLines() => File.Exists(ManifestPath) ? File.ReadAllLines(ManifestPath) : [];

    public void Dispose()
    {
        _http.Dispose();
        Simulator.Dispose();
        if (Directory.Exists(OutputDirectory))
        {
            Directory.Delete(OutputDirectory, recursive: true);
        }
    }

    /// <summary>Counts the requests inside the gateway at once, and the most ever.</summary>
    internal sealed class InFlightGauge : DelegatingHandler
    {
        private int _current;
        private int _peak;

        public int Peak => Volatile.Read(ref _peak);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _current);
            int seen;
            while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }

            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _current);
            }
        }
    }
}
