using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Lifetime;

/// <summary>
/// Who owns what. A client from <see cref="NanoBananaClient.Create"/> owns its meter and image downloader and releases
/// them when disposed; a client from the container is not disposable, and the container releases the engine. Counted
/// process-wide (live meters through a <see cref="MeterListener"/>, file descriptors and sockets, the heap), so these
/// tests run alone.
/// </summary>
[Collection(nameof(Measured))]
public sealed class NanoBananaClientLifetimeTests : IAsyncLifetime
{
    private const int Clients = 10_000;

    private readonly byte[] _image = Encoding.UTF8.GetBytes(Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg"));
    private LoopbackGateway _gateway = null!;

    public async ValueTask InitializeAsync()
        => _gateway = await LoopbackGateway.StartAsync((context, _) => LoopbackGateway.WriteAsync(context, 200, _image));

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private NanoBananaOptions Options(bool download = true)
    {
        var options = new NanoBananaOptions { BaseAddress = _gateway.BaseAddress, ApiKey = Harness.ApiKey };
        options.PeakHours.Enabled = false;
        options.ImageDownload.Enabled = download; // so each client also builds the downloader and its HttpClient
        return options;
    }

    [Fact]
    public async Task Create_10000ClientsCreatedAndDisposed_NoGrowthInMetersHandlesSocketsOrHeap()
    {
        using var meters = new LiveMeters();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var options = Options();

        // Warm up: JIT, pools, the one connection to the gateway.
        await using (var warm = NanoBananaClient.Create(http, options))
        {
            await warm.GenerateAsync("warm up", TestContext.Current.CancellationToken);
        }

        var before = (Meters: meters.Count, Fds: Descriptors.Open(), Sockets: Descriptors.Sockets(), Heap: Heap());
        for (var i = 0; i < Clients; i++)
        {
            // Every hundredth client is used before it goes; the others are made and dropped.
            if (i % 100 == 0)
            {
                await using var used = NanoBananaClient.Create(http, options);
                Assert.Equal(Harness.Nb2, (await used.GenerateAsync("a cat", TestContext.Current.CancellationToken)).Model);
            }
            else
            {
                using var idle = NanoBananaClient.Create(http, options);
            }
        }

        var after = (Meters: meters.Count, Fds: Descriptors.Open(), Sockets: Descriptors.Sockets(), Heap: Heap());
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Clients} clients created and disposed: live meters {before.Meters} → {after.Meters}, file descriptors {before.Fds} → {after.Fds}, sockets {before.Sockets} → {after.Sockets}, heap after full GC {before.Heap / 1024.0 / 1024:0.0} → {after.Heap / 1024.0 / 1024:0.0} MiB"));

        Assert.Equal(before.Meters, after.Meters);
        Assert.True(after.Fds - before.Fds <= 8, $"file descriptors grew from {before.Fds} to {after.Fds}");
        Assert.True(after.Sockets <= before.Sockets + 2, $"sockets grew from {before.Sockets} to {after.Sockets}");
        Assert.True(after.Heap - before.Heap < 4 * 1024 * 1024, $"heap grew by {(after.Heap - before.Heap) / 1024.0 / 1024:0.0} MiB");
    }

    [Fact]
    public async Task Dispose_ReleasesTheMeterOnce_AndLaterCallsThrowObjectDisposed()
    {
        using var meters = new LiveMeters();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var baseline = meters.Count;
        var client = NanoBananaClient.Create(http, Options());
        Assert.Equal(baseline + 1, meters.Count);

        client.Dispose();
        await client.DisposeAsync();

        Assert.Equal(baseline, meters.Count);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GenerateAsync("a cat", TestContext.Current.CancellationToken));
        Assert.Equal(0, _gateway.Total);
    }

    [Fact]
    public async Task Create_HttpClientPassedIn_IsNotDisposedWithTheClient()
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        await using (var first = NanoBananaClient.Create(http, Options(download: false)))
        {
            await first.GenerateAsync("a cat", TestContext.Current.CancellationToken);
        }

        await using var second = NanoBananaClient.Create(http, Options(download: false));
        var result = await second.GenerateAsync("a cat", TestContext.Current.CancellationToken);

        Assert.Equal(Harness.Nb2, result.Model);
    }

    [Fact]
    public async Task AddNanoBananaClient_ClientsAreNotDisposable_ScopesComeAndGo_TheContainerReleasesTheEngine()
    {
        using var meters = new LiveMeters();
        var baseline = meters.Count;
        var services = new ServiceCollection();
        services.AddNanoBananaClient(o =>
        {
            o.BaseAddress = _gateway.BaseAddress;
            o.ApiKey = Harness.ApiKey;
            o.PeakHours.Enabled = false;
        });
        var provider = services.BuildServiceProvider();

        for (var i = 0; i < 3; i++)
        {
            await using var scope = provider.CreateAsyncScope();
            var client = scope.ServiceProvider.GetRequiredService<INanoBananaClient>();
            Assert.IsNotAssignableFrom<IDisposable>(client);
            Assert.IsNotAssignableFrom<IAsyncDisposable>(client);
            await client.GenerateAsync("a cat", TestContext.Current.CancellationToken);
        }

        // Scopes ended; the engine (breakers, costs, meter) lives on for the next client.
        var root = provider.GetRequiredService<INanoBananaClient>();
        await root.GenerateAsync("a cat", TestContext.Current.CancellationToken);
        Assert.Equal(4, provider.GetRequiredService<INanoBananaCostMeter>().GetTotals().Single().Calls);
        Assert.Equal(baseline + 1, meters.Count);

        await provider.DisposeAsync();

        Assert.Equal(baseline, meters.Count);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Meters named like ours that exist and are not disposed, counted by a listener (which sees existing ones too).</summary>
    private sealed class LiveMeters : IDisposable
    {
        private readonly HashSet<Meter> _live = [];
        private readonly MeterListener _listener = new();

        public LiveMeters()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == NanoBananaDiagnostics.SourceName)
                {
                    lock (_live)
                    {
                        _live.Add(instrument.Meter);
                    }

                    // Only an enabled instrument reports the end of its meter.
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.MeasurementsCompleted = (instrument, _) =>
            {
                lock (_live)
                {
                    _live.Remove(instrument.Meter);
                }
            };
            _listener.Start();
        }

        public int Count
        {
            get
            {
                lock (_live)
                {
                    return _live.Count;
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>This process's open file descriptors and sockets (Linux; zero elsewhere, where the bounds hold trivially).</summary>
    private static class Descriptors
    {
        private const string Folder = "/proc/self/fd";

        public static int Open() => Directory.Exists(Folder) ? Directory.GetFiles(Folder).Length : 0;

        public static int Sockets() => Directory.Exists(Folder)
            ? Directory.GetFiles(Folder).Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
            : 0;
    }
}
