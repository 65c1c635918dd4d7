using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.WebApi;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Samples;

/// <summary>
/// The ASP.NET Core sample as shipped, hosted in memory: no key configured, so it answers from its in-process
/// simulated gateway. The clock is fixed off-peak and the simulator answers without latency, so the seeded world
/// gives the same answer every run.
/// </summary>
public sealed class WebApiSampleTests : IDisposable
{
    // Any type of the app's assembly names its entry point; Program is ambiguous here, the CLI has one too.
    private readonly WebApplicationFactory<NanoBanana.WebApi.ImageRequest> _app = new WebApplicationFactory<NanoBanana.WebApi.ImageRequest>().WithWebHostBuilder(host =>
    {
        host.UseSetting("NanoBanana:ApiKey", string.Empty);
        host.UseSetting("Simulator:LatencyScale", "0");
        host.UseSetting("Logging:LogLevel:Default", "Warning");
        host.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(Simulation.OffPeak)));
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostImages_Offline_ReturnsTheImageBytesWithTheirContentType()
    {
        using var http = _app.CreateClient();

        using var response = await http.PostAsJsonAsync("/images", new ImageRequest("a nano banana on a skateboard", "1K", "16:9"), Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0xFF, 0xD8], bytes[..2]);
        Assert.Equal("gemini-3.1-flash-image-preview", Assert.Single(response.Headers.GetValues("X-NanoBanana-Model")).Replace("google/", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostImages_BadSize_ProblemWith400AndNothingGenerated()
    {
        using var http = _app.CreateClient();

        using var response = await http.PostAsJsonAsync("/images", new ImageRequest("a cat", "3K"), Ct);
        var problem = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("3K", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostImages_PromptBlocked_Problem422NamingTheOutcome()
    {
        using var blocking = _app.WithWebHostBuilder(host => host.UseSetting("Simulator:SafetyBlockRate", "1"));
        using var http = blocking.CreateClient();

        using var response = await http.PostAsJsonAsync("/images", new ImageRequest("something the filter refuses"), Ct);
        var problem = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(nameof(AttemptOutcome.ContentBlocked), problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHealth_ShowsEachModelsBreaker()
    {
        using var http = _app.CreateClient();

        var health = await http.GetFromJsonAsync<HealthReport>("/health", Ct);

        Assert.NotNull(health);
        Assert.Equal("Healthy", health.Status);
        Assert.Equal(2, health.Models.Count);
        Assert.All(health.Models, m => Assert.Equal("Closed", m.Breaker));
        Assert.All(health.Models, m => Assert.Null(m.RestingUntil));
    }

    public void Dispose() => _app.Dispose();
}
