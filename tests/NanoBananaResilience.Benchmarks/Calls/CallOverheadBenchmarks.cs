using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace NanoBananaResilience.Benchmarks.Calls;

/// <summary>
/// The success path's cost per call: a bare <see cref="HttpClient"/> call (the baseline) against the library's
/// <c>GenerateAsync</c>, on the same in-memory handler, one at a time and 32 at once.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CallOverheadBenchmarks
{
    private const int Concurrency = 32;
    private static readonly Uri BaseAddress = new("http://127.0.0.1/v1/");
    private static readonly Uri Endpoint = new(BaseAddress, "chat/completions");
    private HttpClient _http = null!;
    private NanoBananaClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient(new InMemoryGateway()) { Timeout = Timeout.InfiniteTimeSpan };
        _client = NanoBananaClient.Create(_http, Gateway.Options(BaseAddress));
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "bare HttpClient")]
    [BenchmarkCategory("sequential")]
    public async Task<int> BareSequential() => (await Gateway.BareCallAsync(_http, Endpoint)).Body.Length;

    [Benchmark(Description = "library")]
    [BenchmarkCategory("sequential")]
    public async Task<int> LibrarySequential() => (await _client.GenerateAsync("a banana")).Images.Count;

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency, Description = "bare HttpClient")]
    [BenchmarkCategory("concurrency 32")]
    public Task BareConcurrent() => Concurrently(() => Gateway.BareCallAsync(_http, Endpoint));

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "library")]
    [BenchmarkCategory("concurrency 32")]
    public Task LibraryConcurrent() => Concurrently(() => _client.GenerateAsync("a banana"));

    internal static Task Concurrently(Func<Task> call)
    {
        var calls = new Task[Concurrency];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = call();
        }

        return Task.WhenAll(calls);
    }
}
