using System.Diagnostics;
using System.Globalization;
using NanoBananaResilience.Benchmarks.Decode;
using NanoBananaResilience.Benchmarks.Payloads;

namespace NanoBananaResilience.Benchmarks.Held;

/// <summary>
/// "Held at once", which BenchmarkDotNet does not report: the most managed memory alive at one time while one
/// 32 MiB image is read, above what was alive before the first read (the body itself, the runtime).
/// </summary>
/// <remarks>
/// Method: each case runs cold in its own process, so nothing a pool kept from an earlier case hides in the
/// start. Before every read of the body, and between the steps of the baselines, a blocking full collection
/// runs and <see cref="GC.GetTotalMemory(bool)"/> is sampled; the peak of the samples is reported. Buffers
/// returned to a pool stay alive in it, so they count. The library does its work inside reads, so the samples
/// see its buffers (a chunked image's segments, returned to the pool at the image's end, are seen beside the
/// image at the next read). The baselines' biggest moment is inside <see cref="Convert.FromBase64String(string)"/>
/// or the JSON step, between samples, so their figures are lower bounds: the comparison favours them.
/// </remarks>
public static class HeldMemory
{
    private const int Size = 32 * ResponseBodies.MiB;
    private const long MaxImageBytes = 64L * ResponseBodies.MiB;

    private static readonly Dictionary<string, Func<HttpContent, Action, Task<int>>> Paths = new(StringComparer.Ordinal)
    {
        ["library"] = async (content, _) => (await BodyReader.ReadAsync(content, true, MaxImageBytes, CancellationToken.None)).Images[0].Data.Length,
        ["usual: string+DTO+FromBase64"] = async (content, checkpoint) => (await CommonDecoders.UsualAsync(content, checkpoint)).Length,
        ["SDK-like: JsonDocument"] = async (content, checkpoint) => (await CommonDecoders.SdkLikeAsync(content, checkpoint)).Length,
    };

    /// <summary>Runs every case in a child process and prints the table.</summary>
    public static async Task RunAllAsync(TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Held at once while reading one image of N = {Size:N0} bytes (peak live managed bytes above the start, each case cold in its own process)"));
        output.WriteLine();
        output.WriteLine("| path | framing | held at once | × N |");
        output.WriteLine("|---|---|---:|---:|");
        foreach (var path in Paths.Keys)
        {
            foreach (var framing in (Framing[])[Framing.ContentLength, Framing.Chunked])
            {
                var held = await MeasureInChildAsync(path, framing);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {path} | {framing} | {held / (double)ResponseBodies.MiB:0.0} MiB | {held / (double)Size:0.00} |"));
            }
        }
    }

    /// <summary>Measures one case in this process and prints the peak in bytes.</summary>
    public static async Task RunOneAsync(string path, string framing, TextWriter output)
    {
        var body = ResponseBodies.Success(ResponseBodies.Image(Size));
        var probe = new Probe();
        using var content = new BodyContent(body, Enum.Parse<Framing>(framing), probe.Sample);
        probe.Start();
        var length = await Paths[path](content, probe.Sample);
        probe.Sample(); // the result, still alive here, counts
        GC.KeepAlive(length);
        output.WriteLine(probe.Peak.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<long> MeasureInChildAsync(string path, Framing framing)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(HeldMemory).Assembly.Location);
        }

        foreach (var argument in (string[])["--held", path, framing.ToString()])
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var printed = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        return child.ExitCode == 0
            ? long.Parse(printed.Trim(), CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"The measurement of {path} ({framing}) failed with exit code {child.ExitCode}.");
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
