using System.Diagnostics;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Load;

/// <summary>
/// The stress cases with the breaker on, against a real Kestrel server on 127.0.0.1 that counts every request, on a
/// fake clock driven while the wire is idle. Only invariants are asserted — every call ends, the server saw exactly what
/// the trails record, no call sends a model more than its attempts per round plus its probes, every response is
/// disposed — and the figures are written to the test output for docs/reliability.md.
/// </summary>
[Collection(nameof(Measured))]
public sealed class StressTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;
    private const int Calls = 500;

    [Theory]
    [InlineData(64, 0.45)]
    [InlineData(64, 1.0)]
    [InlineData(256, 0.45)]
    [InlineData(256, 1.0)]
    public async Task GenerateAsync_BreakerOn_Nb2FailingAndPro12Percent_EveryCallEndsAndTheServerSawWhatTheTrailsSay(int concurrency, double nb2FailureRate)
    {
        await using var rig = await StressRig.StartAsync(new Dictionary<string, double> { [Nb2] = nb2FailureRate, [Pro] = 0.12 });
        rig.DriveClock();
        var wall = Stopwatch.StartNew();

        var records = await rig.RunAsync(Calls, concurrency);

        Report(StressRig.Summary($"HTTP/1.1, {concurrency} concurrent, NB2 {nb2FailureRate:P0} / Pro 12%", records, rig.Gateway, wall.Elapsed));
        Assert.Equal(Calls, records.Count(r => r is not null));
        Assert.All(records.Where(r => r.Error is not null), r => Assert.True(r.Error!.IsTransient, r.Error.Message));
        rig.AssertInvariants(records);
    }

    [Fact]
    public async Task GenerateAsync_BreakerOnOverHttp2_Nb245AndPro12Percent_EveryCallEndsAndTheServerSawWhatTheTrailsSay()
    {
        // The case issue #18 reported: small 503s overtake the successes on one multiplexed connection, and a breaker
        // that counted them in the order they arrived shut Pro off for 436 of 500 calls. Health reads outcomes against
        // the requests sent before them, so a model failing 12% stays up.
        await using var rig = await StressRig.StartAsync(new Dictionary<string, double> { [Nb2] = 0.45, [Pro] = 0.12 }, http2: true, image: ImageBody(64 * 1024));
        rig.DriveClock();
        var wall = Stopwatch.StartNew();

        var records = await rig.RunAsync(Calls, 64);

        Report(StressRig.Summary("HTTP/2 over TLS, 64 concurrent, NB2 45% / Pro 12%", records, rig.Gateway, wall.Elapsed));
        Assert.Equal(Calls, records.Count(r => r is not null));
        Assert.Equal(rig.Gateway.Total, rig.Gateway.Protocols.GetValueOrDefault("HTTP/2"));
        Assert.True(records.Count(r => r.Error is null) >= Calls * 98 / 100, StressRig.Summary("HTTP/2", records, rig.Gateway, wall.Elapsed));
        rig.AssertInvariants(records);
    }

    [Fact]
    public async Task GenerateAsync_500StrandedCalls_EndByTheirDeadlineWithOneProbePerModelPerInterval()
    {
        await using var rig = await StressRig.StartAsync(new Dictionary<string, double> { [Nb2] = 1.0, [Pro] = 1.0 }, options => options.CircuitBreaker.WaitForReopen = true);
        rig.DriveClock();
        var wall = Stopwatch.StartNew();

        // All at once: every call finds both models failing, then down, and waits for a probe slot.
        var records = await rig.RunAsync(Calls, Calls);

        Report(StressRig.Summary("stranded storm, 500 at once, both models 100%", records, rig.Gateway, wall.Elapsed) + $"; probes NB2 {rig.Log.ProbeTimes(Nb2).Count}, Pro {rig.Log.ProbeTimes(Pro).Count}");
        Assert.All(records, r => Assert.NotNull(r.Error));
        Assert.All(records, r => Assert.True(r.Ended - r.Started <= rig.Options.TotalTimeout, $"a call ended {r.Ended - r.Started} after it started"));
        foreach (var model in new[] { Nb2, Pro })
        {
            var probes = rig.Log.ProbeTimes(model);
            Assert.NotEmpty(probes);
            // Logged just after the slot is claimed; the clock may move by one driver step in between.
            var slack = TimeSpan.FromMilliseconds(100);
            Assert.All(probes.Zip(probes.Skip(1)), pair => Assert.True(pair.Second - pair.First >= rig.Options.CircuitBreaker.BreakDuration - slack, $"two probes of {model} {pair.Second - pair.First} apart"));
        }

        rig.AssertInvariants(records);
    }

    [Fact]
    public async Task GenerateAsync_1000CallsCancelledMidBody_EveryCallEndsCancelledAndNoResponseIsLeftOpen()
    {
        const int calls = 1000;
        var body = ImageBody(256 * 1024);
        await using var rig = await StressRig.StartAsync(
            new Dictionary<string, double>(),
            respond: async (context, _) =>
            {
                // Headers and half the body, then nothing until the client leaves.
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            });
        var tokens = Enumerable.Range(0, calls).Select(_ => CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken)).ToArray();
        var cancelledAt = new long[calls];
        var endedAt = new long[calls];
        var running = Enumerable.Range(0, calls).Select(i => Task.Run(async () =>
        {
            try
            {
                await rig.Client.GenerateAsync("a cat", tokens[i].Token);
                return (OperationCanceledException?)null;
            }
            catch (OperationCanceledException e)
            {
                endedAt[i] = Stopwatch.GetTimestamp();
                return e;
            }
        })).ToArray();

        // Every call is stalled inside its body before anything is cancelled; the fake clock never moves, so no timeout can end a call.
        await LoopbackGateway.WaitUntilAsync(() => rig.Counter.Received == calls && rig.Gateway.InFlight == calls, "every call is reading a stalled body");
        foreach (var i in Enumerable.Range(0, calls).OrderBy(i => (i * 7919) % calls))
        {
            cancelledAt[i] = Stopwatch.GetTimestamp();
            await tokens[i].CancelAsync();
        }

        var errors = await Task.WhenAll(running).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken); // a hang guard
        await LoopbackGateway.WaitUntilAsync(() => rig.Gateway.InFlight == 0, "the server saw every client leave");

        var lags = Enumerable.Range(0, calls).Select(i => Stopwatch.GetElapsedTime(cancelledAt[i], endedAt[i]).TotalMilliseconds).Order().ToArray();
        Report($"cancellation storm: {calls} calls stalled mid-body, cancelled in a shuffled order: cancel → end p50 {lags[calls / 2]:0} ms, p99 {lags[(int)(calls * 0.99)]:0} ms, max {lags[^1]:0} ms; server aborted {rig.Gateway.Aborted}; responses {rig.Counter.Received} received, {rig.Counter.Disposed} disposed");
        Assert.All(Enumerable.Range(0, calls), i => Assert.Equal(tokens[i].Token, Assert.IsType<OperationCanceledException>(errors[i], exactMatch: false).CancellationToken));
        Assert.All(Enumerable.Range(0, calls), i => Assert.True(endedAt[i] >= cancelledAt[i], "a call ended before its cancel"));
        Assert.Equal(calls, rig.Gateway.Total);
        Assert.Equal(calls, rig.Gateway.Aborted);
        Assert.Equal(rig.Counter.Received, rig.Counter.Disposed);
        Assert.Equal(Harness.OffPeak, rig.Time.GetUtcNow());
        foreach (var token in tokens)
        {
            token.Dispose();
        }
    }

    [Fact]
    public async Task GenerateAsync_1000HealthyCallsWith1MiBImages_AllocatesAboutOneImagePerCallAndTheHeapStaysFlat()
    {
        // Scaled down from the 20,000 calls (about 6 s here instead of a minute) so the suite stays within minutes on two shared cores.
        const int calls = 1000, concurrency = 8, imageBytes = 1024 * 1024;
        await using var rig = await StressRig.StartAsync(new Dictionary<string, double> { [Nb2] = 0 }, image: ImageBody(imageBytes));
        await CallAsync(rig, concurrency * 4, concurrency); // warm up: JIT, pools, connections
        var heapBefore = Heap();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();

        var wrongSize = await CallAsync(rig, calls, concurrency);

        var perCall = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / calls;
        wall.Stop();
        var heapAfter = Heap();
        Report($"healthy calls: {calls} at {concurrency} with 1 MiB images: allocated {perCall / imageBytes:0.000} × the image per call (process-wide, the server's share included); heap after full GC {heapBefore / 1024.0 / 1024:0.0} → {heapAfter / 1024.0 / 1024:0.0} MiB; wall {wall.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(0, wrongSize);
        Assert.Equal(calls + (concurrency * 4), rig.Gateway.Total);
        Assert.True(perCall <= 1.05 * imageBytes, $"{perCall:N0} bytes allocated per call for a {imageBytes:N0}-byte image");
        Assert.True(heapAfter - heapBefore < 16 * 1024 * 1024, $"heap grew by {(heapAfter - heapBefore) / 1024.0 / 1024:0.0} MiB");
        Assert.Equal(rig.Counter.Received, rig.Counter.Disposed);
    }

    /// <summary>Runs calls that each drop their image at once (holding them would measure the test, not the client); returns how many were not 1 MiB.</summary>
    private static async Task<int> CallAsync(StressRig rig, int calls, int concurrency)
    {
        int next = -1, wrongSize = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < calls)
            {
                var result = await rig.Client.GenerateAsync("a cat", TestContext.Current.CancellationToken);
                if (result.Image.Data.Length != 1024 * 1024)
                {
                    Interlocked.Increment(ref wrongSize);
                }
            }
        })));
        return wrongSize;
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>A JSON answer carrying a JPEG of <paramref name="bytes"/> bytes (a real header, then filler).</summary>
    internal static byte[] ImageBody(int bytes)
    {
        var image = new byte[bytes];
        new Random(bytes).NextBytes(image);
        TestImages.JpegHeader(1024, 1024).CopyTo(image, 0);
        return System.Text.Encoding.UTF8.GetBytes(Replies.ImageBody(Convert.ToBase64String(image), "image/jpeg"));
    }

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
