using BenchmarkDotNet.Attributes;
using NanoBananaResilience.Benchmarks.Payloads;

namespace NanoBananaResilience.Benchmarks.Decode;

/// <summary>
/// JSON-escaped base64 (every '/' written <c>\/</c>, about one character in 64) at 32 MiB with Content-Length:
/// the library's escaped read against its own plain read (the baseline), and the usual code on the escaped body.
/// </summary>
[MemoryDiagnoser]
public class EscapedDecodeBenchmarks
{
    private const long MaxImageBytes = 64L * ResponseBodies.MiB;
    private byte[] _plain = [];
    private byte[] _escaped = [];

    [GlobalSetup]
    public void Setup()
    {
        var image = ResponseBodies.Image(32 * ResponseBodies.MiB);
        _plain = ResponseBodies.Success(image);
        _escaped = ResponseBodies.Success(image, escapeSlashes: true);
    }

    [Benchmark(Baseline = true, Description = "library, plain")]
    public Task<int> LibraryPlain() => ReadAsync(_plain);

    [Benchmark(Description = "library, escaped \\/")]
    public Task<int> LibraryEscaped() => ReadAsync(_escaped);

    [Benchmark(Description = "usual, escaped \\/")]
    public async Task<int> UsualEscaped()
    {
        using var content = new BodyContent(_escaped, Framing.ContentLength);
        return (await CommonDecoders.UsualAsync(content)).Length;
    }

    private static async Task<int> ReadAsync(byte[] body)
    {
        using var content = new BodyContent(body, Framing.ContentLength);
        var parsed = await BodyReader.ReadAsync(content, isSuccess: true, MaxImageBytes, CancellationToken.None);
        return parsed.Images[0].Data.Length;
    }
}
