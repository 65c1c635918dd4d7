using NanoBananaResilience.Testing;
using NanoBananaResilience.TestSupport.Shared;

namespace NanoBananaResilience.Redis.Tests.TestSupport;

/// <summary>Simulated gateways on loopback for the client processes, answering at once.</summary>
internal static class Gateways
{
    /// <summary>Nano Banana 2 down all day, Pro up: the outage the fleet should learn once.</summary>
    public static async Task<SimulatedGeminiServer> Nb2DownProUpAsync()
    {
        var options = new SimulatedGeminiOptions { LatencyScale = 0, ResponseShape = SimulatedResponseShape.ImageUrlString };
        options.Models[SimulatedModels.NanoBanana2] = CertainModels.DownAllDay();
        options.Models[SimulatedModels.NanoBananaPro] = CertainModels.UpAllDay();
        return await StartAsync(options);
    }

    /// <summary>Every model up; answers carry no billed cost, so each image costs its configured price.</summary>
    public static async Task<SimulatedGeminiServer> AllUpAsync()
    {
        var options = new SimulatedGeminiOptions { LatencyScale = 0, ResponseShape = SimulatedResponseShape.ImageUrlString };
        options.Models[SimulatedModels.NanoBanana2] = CertainModels.UpAllDay();
        options.Models[SimulatedModels.NanoBananaPro] = CertainModels.UpAllDay();
        return await StartAsync(options);
    }

    private static async Task<SimulatedGeminiServer> StartAsync(SimulatedGeminiOptions options)
    {
        var server = new SimulatedGeminiServer(options);
        await server.StartAsync();
        return server;
    }

    public static long Requests(SimulatedGeminiServer server, string model) => server.Handler.Statistics.GetCount(model);
}
