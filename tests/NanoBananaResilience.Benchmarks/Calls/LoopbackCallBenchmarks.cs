using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Builder;

namespace NanoBananaResilience.Benchmarks.Calls;

/// <summary>
/// The same comparison as <see cref="CallOverheadBenchmarks"/> over real HTTP: Kestrel on 127.0.0.1, one
/// <see cref="SocketsHttpHandler"/> shared by the bare client and the library.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LoopbackCallBenchmarks
{
    private WebApplication _server = null!;
    private HttpClient _http = null!;
    private NanoBananaClient _client = null!;
    private Uri _endpoint = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        (_server, var baseAddress) = await Gateway.StartLoopbackAsync(Gateway.SuccessBody);
        _endpoint = new Uri(baseAddress, "chat/completions");
        _http = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        _client = NanoBananaClient.Create(_http, Gateway.Options(baseAddress));
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "bare HttpClient")]
    [BenchmarkCategory("sequential")]
    public async Task<int> BareSequential() => (await Gateway.BareCallAsync(_http, _endpoint)).Body.Length;

    [Benchmark(Description = "library")]
    [BenchmarkCategory("sequential")]
    public async Task<int> LibrarySequential() => (await _client.GenerateAsync("a banana")).Images.Count;

    [Benchmark(Baseline = true, OperationsPerInvoke = 32, Description = "bare HttpClient")]
    [BenchmarkCategory("concurrency 32")]
    public Task BareConcurrent() => CallOverheadBenchmarks.Concurrently(() => Gateway.BareCallAsync(_http, _endpoint));

    [Benchmark(OperationsPerInvoke = 32, Description = "library")]
    [BenchmarkCategory("concurrency 32")]
    public Task LibraryConcurrent() => CallOverheadBenchmarks.Concurrently(() => _client.GenerateAsync("a banana"));
}
