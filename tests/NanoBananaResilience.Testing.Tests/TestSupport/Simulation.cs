using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace NanoBananaResilience.Testing.Tests.TestSupport;

/// <summary>A handler on a fake clock with latency switched off, so thousands of calls at chosen instants cost nothing.</summary>
internal sealed class Simulation : IDisposable
{
    public Simulation(SimulatedGeminiOptions? options = null)
    {
        Options = options ?? new SimulatedGeminiOptions();
        Options.LatencyScale = 0;
        Clock = new FakeTimeProvider(Wire.Monday);
        Handler = new SimulatedGeminiHandler(Options, Clock);
        Client = new HttpClient(Handler) { BaseAddress = Wire.BaseAddress };
    }

    public SimulatedGeminiOptions Options { get; }

    public FakeTimeProvider Clock { get; }

    public SimulatedGeminiHandler Handler { get; }

    public HttpClient Client { get; }

    public async Task<(HttpStatusCode Status, string Body)> SendAtAsync(DateTimeOffset time, string model = SimulatedModels.NanoBanana2, string? imageSize = null)
    {
        Clock.SetUtcNow(time);
        using var response = await Client.SendAsync(Wire.Request(model, imageSize), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public async Task<JsonDocument> SendJsonAtAsync(DateTimeOffset time, string model = SimulatedModels.NanoBanana2)
    {
        var (_, body) = await SendAtAsync(time, model);
        return JsonDocument.Parse(body);
    }

    public DateTimeOffset HealthyInstant(string model = SimulatedModels.NanoBanana2) => Wire.HealthyInstant(Handler, model);

    public DateTimeOffset OverloadedInstant(string model = SimulatedModels.NanoBanana2) => Wire.OverloadedInstant(Handler, model);

    public void Dispose() => Client.Dispose();
}
