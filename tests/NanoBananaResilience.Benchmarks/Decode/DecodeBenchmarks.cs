using System.Buffers;
using System.Buffers.Text;
using BenchmarkDotNet.Attributes;
using NanoBananaResilience.Benchmarks.Payloads;

namespace NanoBananaResilience.Benchmarks.Decode;

/// <summary>
/// Reading one image out of a response body of N decoded bytes: the library's streaming reader against the usual
/// code, an SDK-like reader and the two floors (moving the body, decoding its base64). The transfer floor is the
/// baseline, so the Ratio column reads "times the cost of just reading the body".
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private const long MaxImageBytes = 64L * ResponseBodies.MiB;
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private byte[] _body = [];
    private byte[] _base64 = [];
    private byte[] _decoded = [];

    [Params(1, 8, 32)]
    public int SizeMiB { get; set; }

    [Params(Framing.ContentLength, Framing.Chunked)]
    public Framing Framing { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var image = ResponseBodies.Image(SizeMiB * ResponseBodies.MiB);
        _body = ResponseBodies.Success(image);
        _base64 = ResponseBodies.Base64(image);
        _decoded = new byte[image.Length];
    }

    [Benchmark(Baseline = true, Description = "floor: read body")]
    public async Task<int> TransferFloor()
    {
        using var content = new BodyContent(_body, Framing);
        var stream = await content.ReadAsStreamAsync();
        int read, total = 0;
        while ((read = await stream.ReadAsync(_readBuffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark(Description = "floor: base64 decode")]
    public int Base64Floor()
    {
        Base64.DecodeFromUtf8(_base64, _decoded, out _, out var written);
        return written;
    }

    [Benchmark(Description = "library")]
    public async Task<int> Library()
    {
        using var content = new BodyContent(_body, Framing);
        var body = await BodyReader.ReadAsync(content, isSuccess: true, MaxImageBytes, CancellationToken.None);
        return body.Images[0].Data.Length;
    }

    [Benchmark(Description = "usual: string+DTO+FromBase64")]
    public async Task<int> Usual()
    {
        using var content = new BodyContent(_body, Framing);
        return (await CommonDecoders.UsualAsync(content)).Length;
    }

    [Benchmark(Description = "SDK-like: JsonDocument")]
    public async Task<int> SdkLike()
    {
        using var content = new BodyContent(_body, Framing);
        return (await CommonDecoders.SdkLikeAsync(content)).Length;
    }
}
