using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Testing;
using NanoBananaResilience.Tests.TestSupport;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace NanoBananaResilience.Tests.Diagnostics;

/// <summary>
/// The OpenTelemetry registration, end to end: a real client over the simulator, the SDK with the in-memory
/// exporter. The source and meter are process-wide, so each test tells its own telemetry apart from other tests'
/// (its own trace, or a model id no other test uses).
/// </summary>
public sealed class NanoBananaInstrumentationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddNanoBananaInstrumentation_Tracing_ExportsAGenerateContentSpanWithAnAttemptEvent()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddNanoBananaInstrumentation().AddInMemoryExporter(spans).Build())
        {
            var handler = new SimulatedGeminiHandler(Simulation.AlwaysHealthy(), new FakeTimeProvider(Simulation.OffPeak));
            using var parent = TracedParent();
            await Simulation.Client(handler).GenerateAsync("a traced cat", Ct);
            parent.Stop();
            tracing.ForceFlush();

            var span = Assert.Single(spans, s => s.TraceId == parent.TraceId);
            Assert.Equal(NanoBananaDiagnostics.SourceName, span.Source.Name);
            Assert.Equal("generate_content", span.OperationName);
            Assert.Equal(ActivityKind.Client, span.Kind);
            Assert.Equal("generate_content", span.GetTagItem("gen_ai.operation.name"));
            Assert.Equal(SimulatedModels.NanoBanana2, span.GetTagItem("gen_ai.response.model"));
            Assert.Equal("gcp.gemini", span.GetTagItem("gen_ai.provider.name"));
            Assert.True(span.GetTagItem("gen_ai.usage.input_tokens") is int input && input > 0);
            Assert.Equal(1120, span.GetTagItem("gen_ai.usage.output_tokens")); // the simulator's 1K image tokens
            var attempt = Assert.Single(span.Events);
            Assert.Equal("attempt", attempt.Name);
            Assert.Contains(attempt.Tags, t => t.Key == "nanobanana.outcome" && Equals(t.Value, nameof(AttemptOutcome.Success)));
            Assert.Contains(attempt.Tags, t => t.Key == "http.response.status_code" && Equals(t.Value, 200));
        }
    }

    [Fact]
    public async Task GenerateAsync_RetryOnTheSameModel_EveryAttemptIsAnEventOnTheSpan()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == NanoBananaDiagnostics.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var h = Harness.Create();
        h.Handler.On(Harness.Nb2, Replies.Overloaded(), Replies.Image());
        using var parent = TracedParent();

        await h.GenerateAsync("a retried cat");
        parent.Stop();

        Activity span;
        lock (spans)
        {
            span = Assert.Single(spans, s => s.TraceId == parent.TraceId);
        }

        // The retry's record is reported where every other record is: the 503 that was retried is an event too.
        Assert.Equal(
            [(nameof(AttemptOutcome.Overloaded), 503), (nameof(AttemptOutcome.Success), 200)],
            span.Events.Select(e => ((string)e.Tags.First(t => t.Key == "nanobanana.outcome").Value!, (int)e.Tags.First(t => t.Key == "http.response.status_code").Value!)));
    }

    [Fact]
    public async Task AddNanoBananaInstrumentation_Tracing_FailedCallCarriesErrorType()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddNanoBananaInstrumentation().AddInMemoryExporter(spans).Build();
        var world = Simulation.AlwaysHealthy();
        world.SafetyBlockRate = 1;
        var handler = new SimulatedGeminiHandler(world, new FakeTimeProvider(Simulation.OffPeak));
        using var parent = TracedParent();

        await Assert.ThrowsAsync<NanoBananaException>(() => Simulation.Client(handler).GenerateAsync("a blocked cat", Ct));
        parent.Stop();
        tracing.ForceFlush();

        var span = Assert.Single(spans, s => s.TraceId == parent.TraceId);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(nameof(AttemptOutcome.ContentBlocked), span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task AddNanoBananaInstrumentation_Tracing_TotalTimeoutMarksTheSpanAsError()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddNanoBananaInstrumentation().AddInMemoryExporter(spans).Build();
        using var h = Harness.Create(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(15);
            o.TotalTimeout = TimeSpan.FromSeconds(20);
        });
        h.Handler.On(Harness.Nb2, Replies.Stall(h.Time)).On(Harness.Pro, Replies.Stall(h.Time));
        using var parent = TracedParent();

        var error = await h.FailAsync(step: TimeSpan.FromSeconds(1));
        parent.Stop();
        tracing.ForceFlush();

        Assert.Equal(AttemptOutcome.Timeout, error.Outcome);
        var span = Assert.Single(spans, s => s.TraceId == parent.TraceId);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(nameof(AttemptOutcome.Timeout), span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task AddNanoBananaInstrumentation_Metrics_ExportsOurInstrumentsAndPollys()
    {
        const string Model = "metrics-test-model";
        var metrics = new List<Metric>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddNanoBananaInstrumentation().AddInMemoryExporter(metrics).Build();
        var handler = new SimulatedGeminiHandler(Simulation.AlwaysHealthy(Model), new FakeTimeProvider(Simulation.OffPeak));
        var client = Simulation.Client(handler, Model);

        await client.GenerateAsync("a measured cat", Ct);
        await client.GenerateAsync("another measured cat", Ct);
        meters.ForceFlush();

        Assert.Equal(2, Sum(metrics, "nanobanana.images", "gen_ai.response.model", Model));
        Assert.Equal(2, Sum(metrics, "nanobanana.attempts", "gen_ai.request.model", Model));
        // Every engine alive in the process has its own meter instance, so the name may appear more than once.
        var duration = metrics.First(m => m.Name == "nanobanana.call.duration");
        Assert.Equal("s", duration.Unit);
        Assert.Equal([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68, double.PositiveInfinity], BucketBounds(duration));
        Assert.Contains(metrics, m => m.MeterName == NanoBananaDiagnostics.PipelineMeterName && m.Name.StartsWith("resilience.polly.", StringComparison.Ordinal));
    }

    [Fact]
    public void AddNanoBananaInstrumentation_WithoutPolly_OnlyOurMeter()
    {
        var metrics = new List<Metric>();
        using var pollyMeter = new System.Diagnostics.Metrics.Meter(NanoBananaDiagnostics.PipelineMeterName);
        var counter = pollyMeter.CreateCounter<long>("resilience.polly.test");
        using var meters = Sdk.CreateMeterProviderBuilder().AddNanoBananaInstrumentation(includePipelineMetrics: false).AddInMemoryExporter(metrics).Build();

        counter.Add(1);
        meters.ForceFlush();

        Assert.DoesNotContain(metrics, m => m.MeterName == NanoBananaDiagnostics.PipelineMeterName);
    }

    [Fact]
    public void AddNanoBananaInstrumentation_NullBuilder_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => ((TracerProviderBuilder)null!).AddNanoBananaInstrumentation());
        Assert.Throws<ArgumentNullException>(() => ((MeterProviderBuilder)null!).AddNanoBananaInstrumentation());
    }

    /// <summary>A sampled parent, so the default parent-based sampler records the library's span beneath it.</summary>
    private static Activity TracedParent() => new Activity("test") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start();

    private static List<double> BucketBounds(Metric histogram)
    {
        var bounds = new List<double>();
        foreach (ref readonly var point in histogram.GetMetricPoints())
        {
            foreach (var bucket in point.GetHistogramBuckets())
            {
                bounds.Add(bucket.ExplicitBound);
            }

            break;
        }

        return bounds;
    }

    private static long Sum(List<Metric> metrics, string name, string tag, string value)
    {
        long total = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var t in point.Tags)
                {
                    if (t.Key == tag && Equals(t.Value, value))
                    {
                        total += point.GetSumLong();
                    }
                }
            }
        }

        return total;
    }
}
