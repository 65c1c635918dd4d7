using System.Net;
using BenchmarkDotNet.Attributes;

namespace NanoBananaResilience.Benchmarks.Calls;

/// <summary>
/// The fault path: every call meets a 503 first, then succeeds on the same model. The baseline is a bare
/// <see cref="HttpClient"/> retrying by hand; the library retries with its backoff set to zero (so no wait is
/// measured) and its breaker at a ratio a 50 % failure rate never reaches.
/// </summary>
[MemoryDiagnoser]
public class FaultPathBenchmarks
{
    private static readonly Uri BaseAddress = new("http://127.0.0.1/v1/");
    private static readonly Uri Endpoint = new(BaseAddress, "chat/completions");
    private HttpClient _http = null!;
    private NanoBananaClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient(new InMemoryGateway(failEveryOther: true)) { Timeout = Timeout.InfiniteTimeSpan };
        var options = Gateway.Options(BaseAddress);
        options.Retry.BaseDelay = TimeSpan.Zero;
        options.Retry.MaxDelay = TimeSpan.Zero;
        options.CircuitBreaker.FailureRatio = 1.0;
        _client = NanoBananaClient.Create(_http, options);
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "bare HttpClient, retry by hand")]
    public async Task<int> Bare()
    {
        while (true)
        {
            var (status, body) = await Gateway.BareCallAsync(_http, Endpoint);
            if (status != HttpStatusCode.ServiceUnavailable)
            {
                return body.Length;
            }
        }
    }

    [Benchmark(Description = "library: 503, retry, image")]
    public async Task<int> Library()
    {
        var result = await _client.GenerateAsync("a banana");
        return result.Attempts.Count;
    }
}
