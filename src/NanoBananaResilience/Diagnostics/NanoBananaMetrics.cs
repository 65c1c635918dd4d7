using System.Diagnostics.Metrics;

namespace NanoBananaResilience;

/// <summary>
/// The library's instruments. One instance per client engine; the meter comes from <see cref="IMeterFactory"/>
/// when DI provides one, so tests and hosts can isolate it.
/// </summary>
internal sealed class NanoBananaMetrics : IDisposable
{
    // The boundaries the gen_ai semantic conventions advise for gen_ai.client.operation.duration: the SDK's default
    // buckets are cut for milliseconds, and image calls last 5-60 s, backoffs and fallbacks included.
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public NanoBananaMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(NanoBananaDiagnostics.SourceName) ?? new Meter(NanoBananaDiagnostics.SourceName);
        Attempts = _meter.CreateCounter<long>("nanobanana.attempts", "{attempt}", "Attempts by model and outcome class (breaker skips included).");
        Fallbacks = _meter.CreateCounter<long>("nanobanana.fallbacks", "{fallback}", "Moves from one model to the next, by the model left and the reason.");
        Images = _meter.CreateCounter<long>("nanobanana.images", "{image}", "Successful calls by serving model.");
        Failures = _meter.CreateCounter<long>("nanobanana.failures", "{call}", "Failed calls by final outcome class.");
        Cost = _meter.CreateCounter<double>("nanobanana.cost", "USD", "Estimated cost of successful calls by model.");
        Duration = _meter.CreateHistogram<double>(
            "nanobanana.call.duration",
            "s",
            "Duration of whole calls, every attempt and wait included.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public Counter<long> Attempts { get; }

    public Counter<long> Fallbacks { get; }

    public Counter<long> Images { get; }

    public Counter<long> Failures { get; }

    public Counter<double> Cost { get; }

    public Histogram<double> Duration { get; }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
