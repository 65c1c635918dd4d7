// Microsoft.Extensions.AI's IImageGenerator, served by NanoBananaResilience, with traces and metrics printed by
// OpenTelemetry's console exporter. Without NanoBanana__ApiKey it runs against the in-process simulated gateway.
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NanoBananaResilience;
using NanoBananaResilience.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// Microsoft.Extensions.AI's own span and gen_ai.client.* metrics come from this source and meter.
const string MeaiTelemetry = "Experimental.Microsoft.Extensions.AI";

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var offline = string.IsNullOrEmpty(configuration["NanoBanana:ApiKey"]);

using var tracing = Sdk.CreateTracerProviderBuilder()
    .AddNanoBananaInstrumentation()
    .AddSource(MeaiTelemetry)
    .AddConsoleExporter()
    .Build();
using var metering = Sdk.CreateMeterProviderBuilder()
    .AddNanoBananaInstrumentation()
    .AddMeter(MeaiTelemetry)
    .AddConsoleExporter()
    .Build();

var services = new ServiceCollection();
services.AddLogging(logging => logging
    .AddSimpleConsole(o => o.SingleLine = true)
    .SetMinimumLevel(LogLevel.Information)
    .AddFilter("System.Net.Http", LogLevel.Warning)
    .AddFilter("Polly", LogLevel.Warning));
var http = offline
    ? services.AddNanoBananaClient(o =>
    {
        o.BaseAddress = new Uri("http://127.0.0.1/v1/"); // never dialled: the simulator answers in-process
        o.ApiKey = "simulated";
    })
    : services.AddNanoBananaClient(configuration.GetSection(NanoBananaOptions.SectionName));
if (offline)
{
    http.ConfigurePrimaryHttpMessageHandler(() => new SimulatedGeminiHandler(new SimulatedGeminiOptions { Seed = 3, LatencyScale = 0.05 }, TimeProvider.System));
}

// The idiom of Microsoft.Extensions.AI: register the generator, then decorate it. UseOpenTelemetry adds the
// gen_ai span around our own generate_content span; UseLogging logs each call.
services.AddImageGenerator(sp => sp.GetRequiredService<INanoBananaClient>().AsImageGenerator(NanoBananaModels.NanoBanana2))
    .UseLogging()
    .UseOpenTelemetry();

await using var provider = services.BuildServiceProvider();
var generator = provider.GetRequiredService<IImageGenerator>();
Console.WriteLine(offline ? "No NanoBanana__ApiKey: using the simulated gateway." : "Using the configured gateway.");

var response = await generator.GenerateAsync(
    new ImageGenerationRequest("a nano banana reading a newspaper, watercolour"),
    new ImageGenerationOptions { ImageSize = new System.Drawing.Size(1024, 1024) });

var image = response.Contents.OfType<DataContent>().First();
var path = Path.GetFullPath("image-generator" + (image.MediaType == "image/png" ? ".png" : ".jpg"));
await File.WriteAllBytesAsync(path, image.Data.ToArray());

// RawRepresentation is the library's own result: the serving model, the cost and every attempt.
var result = (NanoBananaResult)response.RawRepresentation!;
Console.WriteLine($"Saved {path}: {result}");
foreach (var attempt in result.Attempts)
{
    Console.WriteLine($"  {attempt.Model}: {attempt.Outcome} ({attempt.Decision})");
}

Console.WriteLine($"Tokens in {response.Usage?.InputTokenCount}, out {response.Usage?.OutputTokenCount}. Traces and metrics follow.");
