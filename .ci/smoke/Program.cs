// What a new user of the packages writes: configuration from appsettings.json, the client from DI, one image.
// The endpoint is the simulator on loopback, calm (no overloads, no latency), requiring the configured key.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;
using NanoBananaResilience.Testing;

// A response shape without usage.cost, so the estimate comes from the prices in appsettings.json.
var world = new SimulatedGeminiOptions { LatencyScale = 0, RequiredApiKey = "smoke-test-key", ResponseShape = SimulatedResponseShape.ImageUrlString };
foreach (var model in new[] { SimulatedModels.NanoBanana2, SimulatedModels.NanoBananaPro })
{
    world.Models[model] = SimulatedModelProfile.CreateCustom(new double[24]);
    world.Models[model].BackgroundFailureRate = 0;
    world.Models[model].ImageFormat = SimulatedImageFormat.Png;
}

await using var server = new SimulatedGeminiServer(world);
await server.StartAsync();

var configuration = new ConfigurationBuilder()
    .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
    .AddInMemoryCollection(new Dictionary<string, string?> { ["NanoBanana:BaseAddress"] = server.BaseAddress.ToString() })
    .Build();
var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
services.AddNanoBananaClient();
await using var provider = services.BuildServiceProvider();

var client = provider.GetRequiredService<INanoBananaClient>();
var result = await client.GenerateAsync("a nano banana in a tiny spacesuit");
var image = result.Image;
var isPng = image.Data.Span.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']);
var total = provider.GetRequiredService<INanoBananaCostMeter>().GetTotals().Sum(t => t.CostUsd);
Console.WriteLine($"smoke: {image.MediaType} {image.Data.Length} bytes from {result.Model} after {result.Attempts.Count} attempt(s), {result.EstimatedCostUsd} USD (meter total {total} USD)");

// The prices come from appsettings.json, so the estimate proves the binding inside the package works. The serving
// model depends on the hour (the peak window, 10:00-14:00 UTC, puts Pro first), so the price expected is its own.
var price = result.Model == SimulatedModels.NanoBanana2 ? 0.035m : 0.05m;
if (!isPng || image.MediaType != "image/png" || result.EstimatedCostUsd != price || total != price || server.Handler.Statistics.TotalRequests != 1)
{
    Console.Error.WriteLine("smoke: unexpected result");
    return 1;
}

return 0;
