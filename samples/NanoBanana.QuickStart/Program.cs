// QuickStart: from configuration to an image on disk, in numbered steps.
// Run:  dotnet run --project samples/NanoBanana.QuickStart
// With a key (dotnet user-secrets set NanoBanana:ApiKey ... or NanoBanana__ApiKey) it calls the gateway in
// appsettings.json; without one it calls the in-process simulated gateway, so it works offline.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;
using NanoBananaResilience.Testing;

// 1. Configuration: appsettings.json, then user secrets, then NanoBanana__* environment variables.
var configuration = new ConfigurationBuilder()
    .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
    .AddUserSecrets(typeof(Program).Assembly, optional: true)
    .AddEnvironmentVariables()
    .Build();
var offline = string.IsNullOrEmpty(configuration["NanoBanana:ApiKey"]);
Console.WriteLine($"1. Configuration read; {(offline ? "no API key, so the simulated gateway will answer" : "API key found, calling the real gateway")}.");

// 2. Registration: one line. The options are validated when the provider first resolves them.
var services = new ServiceCollection();
var http = services.AddNanoBananaClient(configuration.GetSection(NanoBananaOptions.SectionName));
if (offline)
{
    services.Configure<NanoBananaOptions>(o =>
    {
        o.BaseAddress = new Uri("http://127.0.0.1/v1/"); // never dialled: the simulator answers in-process
        o.ApiKey = "simulated";
    });
    http.ConfigurePrimaryHttpMessageHandler(() => new SimulatedGeminiHandler(new SimulatedGeminiOptions { Seed = 42, LatencyScale = 0.05 }, TimeProvider.System));
}

await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<INanoBananaClient>();
Console.WriteLine("2. Client registered with AddNanoBananaClient.");

// 3. A request: a prompt, and optionally size, aspect ratio and reference images.
var request = new NanoBananaRequest("a nano banana surfing a wave at sunset, woodcut print")
{
    Size = ImageSize.OneK,
    AspectRatio = AspectRatio.Parse("16:9"),
};
Console.WriteLine($"3. Request: {request}");

try
{
    // 4. Generate: retries, breakers and the fallback chain happen inside this call.
    var result = await client.GenerateAsync(request);
    Console.WriteLine($"4. {result}");

    // 5. The trail: every attempt, with its outcome and what the client decided next.
    foreach (var attempt in result.Attempts)
    {
        Console.WriteLine($"5.   {attempt.Model}: {attempt.Outcome} (HTTP {attempt.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}), then {attempt.Decision}");
    }

    // 6. Save: the extension comes from the bytes, not from what the gateway claimed.
    var path = Path.GetFullPath("quickstart" + result.Image.FileExtension);
    await result.SaveAsync(path);
    Console.WriteLine($"6. Saved {path}");
}
catch (NanoBananaException e)
{
    // 4'. No model produced an image: Outcome says why, RetryAfter when to come back, Attempts what happened.
    Console.WriteLine($"4'. No image: {e.Outcome} (transient: {e.IsTransient}, retry after: {e.RetryAfter?.ToString() ?? "-"}). {e.Message}");
}

// 7. Health: each model's breaker, as a health endpoint would report it.
foreach (var status in client.GetModelStatuses())
{
    Console.WriteLine($"7. {status.Model}: breaker {status.BreakerState}{(status.RestingUntil is { } until ? $", resting until {until:HH:mm:ss} UTC" : string.Empty)}");
}
