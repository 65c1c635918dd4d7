using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NanoBananaResilience;

/// <summary>
/// The names to subscribe to: the <see cref="ActivitySource"/> and <see cref="Meter"/> called
/// <c>NanoBananaResilience</c>, and the per-model resilience pipelines' own telemetry
/// (pipeline <c>NanoBanana</c>, instance = model id; its meter is listed in docs/telemetry.md).
/// </summary>
public static class NanoBananaDiagnostics
{
    /// <summary>The name of the activity source and the meter: <c>NanoBananaResilience</c>.</summary>
    public const string SourceName = "NanoBananaResilience";

    /// <summary>The Polly pipeline name of every per-model pipeline; its instance name is the model id.</summary>
    public const string PipelineName = "NanoBanana";

    // The resilience library's own meter carries each model pipeline's instruments. Its name belongs to that library
    // and may change with its major version, so it is internal here and documented in docs/telemetry.md.
    internal const string PipelineMeterName = "Polly";

    /// <summary>
    /// The <c>gen_ai.provider.name</c> on the call's span: <c>gcp.gemini</c>, the models' provider, whichever
    /// OpenAI-compatible gateway carries the requests.
    /// </summary>
    public const string ProviderName = "gcp.gemini";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(NanoBananaDiagnostics).Assembly.GetName().Version?.ToString());
}
