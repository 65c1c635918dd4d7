using NanoBananaResilience;

namespace OpenTelemetry.Trace;

/// <summary>Subscribes a tracer provider to NanoBananaResilience's spans.</summary>
public static class NanoBananaTracerProviderBuilderExtensions
{
    /// <summary>
    /// Adds the <c>NanoBananaResilience</c> activity source: one <c>generate_content</c> client span per call, with an
    /// <c>attempt</c> event per attempt (model, outcome, HTTP status). Outgoing HTTP spans come from the HTTP client
    /// instrumentation, if the application adds it.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static TracerProviderBuilder AddNanoBananaInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(NanoBananaDiagnostics.SourceName);
    }
}
