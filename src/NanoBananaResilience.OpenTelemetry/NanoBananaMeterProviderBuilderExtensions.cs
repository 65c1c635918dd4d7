using NanoBananaResilience;

namespace OpenTelemetry.Metrics;

/// <summary>Subscribes a meter provider to NanoBananaResilience's metrics.</summary>
public static class NanoBananaMeterProviderBuilderExtensions
{
    // Polly's meter name: kept out of the core package's public API (it belongs to Polly's major version).
    private const string PipelineMeterName = "Polly";

    /// <summary>
    /// Adds the <c>NanoBananaResilience</c> meter (attempts, fallbacks, images, failures, cost, call duration) and,
    /// unless <paramref name="includePipelineMetrics"/> is <see langword="false"/>, Polly's <c>Polly</c> meter, whose
    /// <c>resilience.polly.*</c> instruments report each model pipeline's retries and breaker changes
    /// (<c>pipeline.name</c> <c>NanoBanana</c>, <c>pipeline.instance</c> the model id).
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="includePipelineMetrics">Whether to add the pipelines' meter (Polly's) too. It carries every Polly pipeline of the application, not only ours.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static MeterProviderBuilder AddNanoBananaInstrumentation(this MeterProviderBuilder builder, bool includePipelineMetrics = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddMeter(NanoBananaDiagnostics.SourceName);
        return includePipelineMetrics ? builder.AddMeter(PipelineMeterName) : builder;
    }
}
