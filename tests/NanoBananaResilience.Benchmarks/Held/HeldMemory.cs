using System.Globalization;
using NanoBananaResilience.Benchmarks.Decode;
using NanoBananaResilience.Benchmarks.Payloads;

namespace NanoBananaResilience.Benchmarks.Held;

/// <summary>
/// "Held at once", which BenchmarkDotNet does not report: the most managed memory alive at one time while one
/// 32 MiB image is read, above what was alive before (the body itself, the warmed-up pools).
/// </summary>
/// <remarks>
/// Method: before every read of the body, and between the steps of the baselines, a blocking full collection
/// runs and <see cref="GC.GetTotalMemory(bool)"/> is sampled; the peak of the samples is reported. The library
/// does all its work inside reads, so its figure sees every buffer it has. The baselines' biggest moment is
/// inside <see cref="Convert.FromBase64String(string)"/> or the JSON step, between samples, so their figures
/// are lower bounds: the comparison favours them.
/// </remarks>
public static class HeldMemory
{
    private const int Size = 32 * ResponseBodies.MiB;
    private const long MaxImageBytes = 64L * ResponseBodies.MiB;

    public static async Task RunAsync(TextWriter output)
    {
        var body = ResponseBodies.Success(ResponseBodies.Image(Size));
        var paths = new (string Name, Func<HttpContent, Action, Task<int>> Read)[]
        {
            ("library", async (content, _) => (await BodyReader.ReadAsync(content, true, MaxImageBytes, CancellationToken.None)).Images[0].Data.Length),
            ("usual: string+DTO+FromBase64", async (content, checkpoint) => (await CommonDecoders.UsualAsync(content, checkpoint)).Length),
            ("SDK-like: JsonDocument", async (content, checkpoint) => (await CommonDecoders.SdkLikeAsync(content, checkpoint)).Length),
        };

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Held at once while reading one image of N = {Size:N0} bytes (peak live managed bytes above the start, sampled at every read of the body and between steps)"));
        output.WriteLine();
        output.WriteLine("| path | framing | held at once | × N |");
        output.WriteLine("|---|---|---:|---:|");
        foreach (var (name, read) in paths)
        {
            foreach (var framing in (Framing[])[Framing.ContentLength, Framing.Chunked])
            {
                // Once to warm the code and the pools (pooled buffers belong to the start), once measured.
                await MeasureAsync(body, framing, read);
                var held = await MeasureAsync(body, framing, read);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {framing} | {held / (double)ResponseBodies.MiB:0.0} MiB | {held / (double)Size:0.00} |"));
            }
        }
    }

    private static async Task<long> MeasureAsync(byte[] body, Framing framing, Func<HttpContent, Action, Task<int>> read)
    {
        var probe = new Probe();
        using var content = new BodyContent(body, framing, probe.Sample);
        probe.Start();
        var length = await read(content, probe.Sample);
        probe.Sample(); // the result, still alive here, counts
        GC.KeepAlive(length);
        return probe.Peak;
    }

    private sealed class Probe
    {
        private long _start;

        public long Peak { get; private set; }

        public void Start()
        {
            _start = Live();
            Peak = 0;
        }

        public void Sample() => Peak = Math.Max(Peak, Live() - _start);

        private static long Live()
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
            return GC.GetTotalMemory(forceFullCollection: false);
        }
    }
}
