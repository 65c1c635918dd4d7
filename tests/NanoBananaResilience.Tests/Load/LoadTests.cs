using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Load;

/// <summary>
/// 2,000 calls, 64 at a time, against a Kestrel server on 127.0.0.1 that answers 45% of requests with Google's 503
/// (the peak-hour rate). Backoff is shortened to milliseconds by configuration, so this runs on the real clock in
/// seconds. The breaker is off so that the server's request count is predicted exactly by the attempt trails.
/// The figures are written to the test output and quoted in docs/reliability.md; only bounds are asserted.
/// </summary>
[Collection(nameof(Measured))]
public sealed class LoadTests : IAsyncLifetime
{
    private const int Calls = 2000;
    private const int Concurrency = 64;
    private const double FailureRate = 0.45;

    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly byte[] _image = System.Text.Encoding.UTF8.GetBytes(Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg"));
    private readonly byte[] _overloaded = System.Text.Encoding.UTF8.GetBytes(WireFixtures.Text("google-503.json"));
    private readonly Random _random = new(7);
    private WebApplication? _app;
    private int _port;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", async context =>
        {
            using var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            _requests.AddOrUpdate(json.RootElement.GetProperty("model").GetString()!, 1, (_, n) => n + 1);
            bool fail;
            lock (_random)
            {
                fail = _random.NextDouble() < FailureRate;
            }

            context.Response.StatusCode = fail ? 503 : 200;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(fail ? _overloaded : _image, context.RequestAborted);
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _port = new Uri(_app.Urls.Single()).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoThousandCallsAt64_AgainstA45PercentOverload_EveryCallEndsAndNothingGrows()
    {
        var unobserved = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> onUnobserved = (_, _) => Interlocked.Increment(ref unobserved);
        TaskScheduler.UnobservedTaskException += onUnobserved;
        try
        {
            await RunAsync(() => unobserved);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= onUnobserved;
        }
    }

    private async Task RunAsync(Func<int> unobserved)
    {
        var options = new NanoBananaOptions { BaseAddress = new Uri($"http://127.0.0.1:{_port}/v1/"), ApiKey = Harness.ApiKey };
        options.PeakHours.Enabled = false;
        options.CircuitBreaker.Enabled = false;
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(2);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(10);
        options.AttemptTimeout = TimeSpan.FromSeconds(30);
        options.TotalTimeout = TimeSpan.FromSeconds(90);
        var counter = new DisposalCountingHandler(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient(counter) { Timeout = Timeout.InfiniteTimeSpan };
        var client = NanoBananaClient.Create(http, options);
        var maxAttempts = options.GetEffectiveModels().Sum(m => m.MaxAttempts);

        // Warm up (JIT, pools, connections), then take the baseline.
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Settle(client)));
        _requests.Clear();
        var baselineHeap = Heap();
        var baselineThreads = ThreadPool.ThreadCount;
        var receivedBefore = counter.Received;

        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(() => SampleAsync(sampling.Token), TestContext.Current.CancellationToken);
        var trails = new ConcurrentBag<IReadOnlyList<AttemptRecord>>();
        var failedTrails = new ConcurrentBag<IReadOnlyList<AttemptRecord>>();
        var durations = new ConcurrentBag<double>();
        var successes = 0;
        var failures = new ConcurrentDictionary<AttemptOutcome, int>();
        var next = -1;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(
            async () =>
            {
                while (Interlocked.Increment(ref next) < Calls)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        var result = await client.GenerateAsync("a cat", TestContext.Current.CancellationToken);
                        Interlocked.Increment(ref successes);
                        trails.Add(result.Attempts);
                    }
                    catch (NanoBananaException e)
                    {
                        failures.AddOrUpdate(e.Outcome, 1, (_, n) => n + 1);
                        trails.Add(e.Attempts);
                        failedTrails.Add(e.Attempts);
                    }

                    durations.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            },
            TestContext.Current.CancellationToken)));
        wall.Stop();
        await sampling.CancelAsync();
        var peak = await sampler;

        http.Dispose();
        var heapAfter = Heap();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var sent = trails.Sum(t => t.Count(a => a.Outcome != AttemptOutcome.CircuitOpen));
        var served = _requests.Values.Sum();
        var sorted = durations.Order().ToArray();
        var figures = string.Create(
            CultureInfo.InvariantCulture,
            $"""
            calls {Calls}, concurrency {Concurrency}, failure rate {FailureRate:P0}, wall {wall.Elapsed.TotalSeconds:0.0} s
            images {successes}, typed failures {string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}"))}
            requests at the server {served} (per model {string.Join(", ", _requests.Select(r => $"{r.Key} {r.Value}"))}), attempts in the trails {sent}, mean {(double)served / Calls:0.00} per call
            responses received {counter.Received - receivedBefore}, all {counter.Received} (warm-up included) disposed: {counter.Disposed == counter.Received}
            call duration ms: p50 {sorted[sorted.Length / 2]:0}, p95 {sorted[(int)(sorted.Length * 0.95)]:0}, p99 {sorted[(int)(sorted.Length * 0.99)]:0}, max {sorted[^1]:0}
            sockets to the server (client side): max ESTABLISHED {peak.Established}, max TIME_WAIT {peak.TimeWait}{(TcpTable.IsAvailable ? string.Empty : " (no /proc/net/tcp here)")}
            thread pool: threads {baselineThreads} before, max {peak.Threads} during; max pending work items {peak.Pending}; max sampler lag {peak.LagMs:0} ms
            managed heap after full GC: {baselineHeap / 1024.0 / 1024:0.0} MiB before, {heapAfter / 1024.0 / 1024:0.0} MiB after
            unobserved task exceptions {unobserved()}
            """);
        TestContext.Current.TestOutputHelper?.WriteLine(figures);

        Assert.Equal(Calls, successes + failures.Values.Sum());
        Assert.All(failures.Keys, outcome => Assert.Equal(AttemptOutcome.Overloaded, outcome));
        Assert.All(trails, trail => Assert.InRange(trail.Count, 1, maxAttempts));
        Assert.Equal(sent, served);

        // Per model, the server saw exactly what the trails record; a failed call used every configured attempt.
        foreach (var model in options.GetEffectiveModels())
        {
            Assert.Equal(trails.Sum(t => t.Count(a => a.Model == model.Id)), _requests.GetValueOrDefault(model.Id));
            Assert.All(failedTrails, trail => Assert.Equal(model.MaxAttempts, trail.Count(a => a.Model == model.Id)));
        }

        Assert.Equal(counter.Received, counter.Disposed);
        Assert.Equal(served, counter.Received - receivedBefore);
        Assert.True(peak.Established <= Concurrency + 8, $"{peak.Established} established sockets for {Concurrency} concurrent calls");
        Assert.True(peak.TimeWait <= Concurrency, $"{peak.TimeWait} sockets in TIME_WAIT");
        Assert.True(heapAfter - baselineHeap < 16 * 1024 * 1024, $"heap grew by {(heapAfter - baselineHeap) / 1024.0 / 1024:0.0} MiB");
        Assert.True(peak.Threads <= baselineThreads + Concurrency, $"thread pool grew from {baselineThreads} to {peak.Threads}: calls block threads");
        Assert.Equal(0, unobserved());
    }

    private static async Task Settle(NanoBananaClient client)
    {
        try
        {
            await client.GenerateAsync("warm up", TestContext.Current.CancellationToken);
        }
        catch (NanoBananaException)
        {
            // Warm-up only.
        }
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private async Task<(int Established, int TimeWait, int Threads, long Pending, double LagMs)> SampleAsync(CancellationToken stop)
    {
        int established = 0, timeWait = 0, threads = 0;
        long pending = 0;
        double lag = 0;
        var period = TimeSpan.FromMilliseconds(20);
        while (!stop.IsCancellationRequested)
        {
            var (e, t) = TcpTable.IsAvailable ? TcpTable.CountTo(_port) : (0, 0);
            established = Math.Max(established, e);
            timeWait = Math.Max(timeWait, t);
            threads = Math.Max(threads, ThreadPool.ThreadCount);
            pending = Math.Max(pending, ThreadPool.PendingWorkItemCount);
            var before = Stopwatch.GetTimestamp();
            try
            {
                await Task.Delay(period, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            // How late the timer's continuation ran: a starving pool shows here first.
            lag = Math.Max(lag, (Stopwatch.GetElapsedTime(before) - period).TotalMilliseconds);
        }

        return (established, timeWait, threads, pending, lag);
    }
}
