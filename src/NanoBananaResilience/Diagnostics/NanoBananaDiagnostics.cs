using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NanoBananaResilience;

/// <summary>
/// The names to subscribe to: the <see cref="ActivitySource"/> and <see cref="Meter"/> called
/// <c>NanoBananaResilience</c>, and Polly's own telemetry for the per-model pipelines
/// (pipeline <c>NanoBanana</c>, instance = model id).
/// </summary>
public static class NanoBananaDiagnostics
{
    /// <summary>The name of the activity source and the meter: <c>NanoBananaResilience</c>.</summary>
    public const string SourceName = "NanoBananaResilience";

    /// <summary>The Polly pipeline name of every per-model pipeline; its instance name is the model id.</summary>
    public const string PipelineName = "NanoBanana";

    /// <summary>
    /// The name of Polly's own meter, <c>Polly</c>, which carries the <c>resilience.polly.*</c> instruments of every
    /// model pipeline (and of any other Polly pipeline in the application).
    /// </summary>
    public const string PollyMeterName = "Polly";

    /// <summary>
    /// The <c>gen_ai.provider.name</c> on the call's span: <c>gcp.gemini</c>, the models' provider, whichever
    /// OpenAI-compatible gateway carries the requests.
    /// </summary>
    public const string ProviderName = "gcp.gemini";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(NanoBananaDiagnostics).Assembly.GetName().Version?.ToString());
}
