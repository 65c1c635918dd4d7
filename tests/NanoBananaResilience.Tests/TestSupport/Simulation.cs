using NanoBananaResilience.Testing;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>Clients over the simulated gateway, in memory, answering at once.</summary>
internal static class Simulation
{
    /// <summary>03:00 UTC on a Tuesday: off-peak.</summary>
    public static readonly DateTimeOffset OffPeak = new(2026, 1, 6, 3, 0, 0, TimeSpan.Zero);

    /// <summary>A world where the given models always answer with an image, without latency.</summary>
    public static SimulatedGeminiOptions AlwaysHealthy(params string[] models)
    {
        var options = new SimulatedGeminiOptions { LatencyScale = 0 };
        foreach (var model in models.Length == 0 ? [SimulatedModels.NanoBanana2, SimulatedModels.NanoBananaPro] : models)
        {
            var profile = SimulatedModelProfile.CreateCustom(new double[24]);
            profile.BackgroundFailureRate = 0;
            options.Models[model] = profile;
        }

        return options;
    }

    /// <summary>A real client over <paramref name="handler"/>, with the given chain (the default one when empty).</summary>
    public static NanoBananaClient Client(SimulatedGeminiHandler handler, params string[] models)
    {
        var options = new NanoBananaOptions { BaseAddress = new Uri("http://127.0.0.1/v1/"), ApiKey = "sk-simulated" };
        foreach (var model in models)
        {
            options.Models.Add(new ModelOptions { Id = model, MaxAttempts = 1 });
        }

        return NanoBananaClient.Create(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, options, handler.TimeProvider);
    }
}
