using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Testing;
using NanoBananaResilience.Tests.TestSupport;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace NanoBananaResilience.Tests.AI;

/// <summary>The adapter in Microsoft.Extensions.AI's own idiom: registered with AddImageGenerator, decorated by the builder.</summary>
public sealed class ImageGeneratorBuilderTests
{
    [Fact]
    public async Task AddImageGenerator_UseOpenTelemetry_GenAiSpanWithProviderAroundOurSpan()
    {
        var meaiSource = "ImageGeneratorBuilderTests." + Guid.NewGuid().ToString("N");
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(meaiSource).AddNanoBananaInstrumentation().AddInMemoryExporter(spans).Build();
        var clock = new FakeTimeProvider(Simulation.OffPeak);
        var simulator = new SimulatedGeminiHandler(Simulation.AlwaysHealthy(), clock);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddNanoBananaClient(o =>
        {
            o.BaseAddress = new Uri("http://127.0.0.1/v1/");
            o.ApiKey = "sk-simulated";
        }).ConfigurePrimaryHttpMessageHandler(() => simulator);
        services.AddImageGenerator(sp => sp.GetRequiredService<INanoBananaClient>().AsImageGenerator(NanoBananaModels.NanoBanana2))
            .UseLogging()
            .UseOpenTelemetry(sourceName: meaiSource);
        await using var provider = services.BuildServiceProvider();
        var generator = provider.GetRequiredService<IImageGenerator>();

        var response = await generator.GenerateAsync(new ImageGenerationRequest("a cat through the builder"), cancellationToken: TestContext.Current.CancellationToken);
        tracing.ForceFlush();

        Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.IsType<NanoBananaResult>(response.RawRepresentation);
        var outer = Assert.Single(spans, s => s.Source.Name == meaiSource);
        Assert.Equal("gcp.gemini", outer.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(NanoBananaModels.NanoBanana2, outer.GetTagItem("gen_ai.request.model"));
        var ours = Assert.Single(spans, s => s.Source.Name == NanoBananaDiagnostics.SourceName && s.TraceId == outer.TraceId);
        Assert.Equal(outer.SpanId, ours.ParentSpanId);
    }
}
