namespace NanoBananaResilience.Testing;

/// <summary>
/// Options of the simulated Gemini gateway.
/// </summary>
/// <remarks>
/// The simulated world is a deterministic function of <see cref="Seed"/>, the model and the time: two handlers built
/// from equal options and driven through the same sequence of request times answer identically. The handler reads
/// the options once, when it is constructed.
/// </remarks>
public sealed class SimulatedGeminiOptions
{
    /// <summary>
    /// Gets or sets the seed of the simulated world: the overload episodes and every per-request draw derive from it.
    /// </summary>
    /// <remarks>The default value is 0.</remarks>
    public int Seed { get; set; }

    /// <summary>
    /// Gets or sets how overloads are spread over time and across models; see <see cref="SimulatedWorld"/>.
    /// </summary>
    /// <remarks>The default value is <see cref="SimulatedWorld.Episodes"/>.</remarks>
    public SimulatedWorld World { get; set; } = SimulatedWorld.Episodes;

    /// <summary>
    /// Gets or sets the smallest share of requests an episode sheds in the <see cref="SimulatedWorld.Partial"/> world,
    /// in (0, 1]; each episode draws its share uniformly between this and <see cref="PartialSheddingMaximum"/>.
    /// </summary>
    /// <remarks>The default value is 0.40.</remarks>
    public double PartialSheddingMinimum { get; set; } = 0.40;

    /// <summary>
    /// Gets or sets the largest share of requests an episode sheds in the <see cref="SimulatedWorld.Partial"/> world,
    /// in [<see cref="PartialSheddingMinimum"/>, 1].
    /// </summary>
    /// <remarks>The default value is 0.95.</remarks>
    public double PartialSheddingMaximum { get; set; } = 0.95;

    /// <summary>
    /// Gets or sets the share of the most overloaded model's episodes that hit every other model at the same time in
    /// the <see cref="SimulatedWorld.Shared"/> world, in [0, 1].
    /// </summary>
    /// <remarks>
    /// The default value is 0.2: with the default profiles, the most that Nano Banana Pro's peak rate (12%) leaves room
    /// for when Nano Banana 2 fails 45% — 88% of Pro's overloaded time at 10–14 then falls inside Nano Banana 2's
    /// episodes, against 42% when the two are independent. A share that needs more overload than another model's
    /// hourly rate allows is refused when the handler is built.
    /// </remarks>
    public double SharedOverloadShare { get; set; } = 0.2;

    /// <summary>
    /// Gets the model profiles keyed by model id. A request for a model without a profile gets a 404.
    /// A gateway-style prefix such as <c>google/</c> in the request's model id is ignored.
    /// </summary>
    /// <remarks>
    /// The default value holds <see cref="SimulatedModels.NanoBanana2"/> and <see cref="SimulatedModels.NanoBananaPro"/>
    /// with their built-in profiles.
    /// </remarks>
    public IDictionary<string, SimulatedModelProfile> Models { get; } = new Dictionary<string, SimulatedModelProfile>(StringComparer.Ordinal)
    {
        [SimulatedModels.NanoBanana2] = SimulatedModelProfile.CreateNanoBanana2(),
        [SimulatedModels.NanoBananaPro] = SimulatedModelProfile.CreateNanoBananaPro(),
    };

    /// <summary>
    /// Gets or sets the layout of successful (and content-blocked or image-less) answers.
    /// </summary>
    /// <remarks>The default value is <see cref="SimulatedResponseShape.OpenRouterImages"/>.</remarks>
    public SimulatedResponseShape ResponseShape { get; set; } = SimulatedResponseShape.OpenRouterImages;

    /// <summary>
    /// Gets or sets a value indicating whether answers cycle through every <see cref="SimulatedResponseShape"/> in
    /// declaration order instead of always using <see cref="ResponseShape"/>.
    /// </summary>
    /// <remarks>The default value is <see langword="false"/>.</remarks>
    public bool RotateResponseShapes { get; set; }

    /// <summary>
    /// Gets or sets the factor applied to every simulated latency; 0 answers at once without creating timers.
    /// </summary>
    /// <remarks>The default value is 1.</remarks>
    public double LatencyScale { get; set; } = 1;

    /// <summary>
    /// Gets or sets the share of calls answered 429 for a per-minute quota, with a <c>google.rpc.RetryInfo</c>
    /// <c>retryDelay</c> of 5–60 s.
    /// </summary>
    /// <remarks>The default value is 0.</remarks>
    public double RateLimitRate { get; set; }

    /// <summary>
    /// Gets or sets the share of calls answered 429 for a daily quota: a <c>google.rpc.QuotaFailure</c> whose
    /// <c>quotaId</c> contains <c>PerDay</c>, and a <c>retryDelay</c> up to the next quota reset.
    /// </summary>
    /// <remarks>The default value is 0.</remarks>
    public double DailyQuotaRate { get; set; }

    /// <summary>
    /// Gets or sets the share of calls answered 200 with a safety block: <c>finishReason: IMAGE_SAFETY</c> in the
    /// Gemini-native shapes, <c>finish_reason: content_filter</c> in the others.
    /// </summary>
    /// <remarks>The default value is 0.</remarks>
    public double SafetyBlockRate { get; set; }

    /// <summary>
    /// Gets or sets the share of calls answered 200 with text only and no image.
    /// </summary>
    /// <remarks>The default value is 0.</remarks>
    public double NoImageRate { get; set; }

    /// <summary>
    /// Gets or sets the share of calls answered 502 with an nginx HTML error page.
    /// </summary>
    /// <remarks>The default value is 0.</remarks>
    public double BadGatewayRate { get; set; }

    /// <summary>
    /// Gets or sets the API key that requests must carry as <c>Authorization: Bearer …</c>; others get a 401.
    /// <see langword="null"/> accepts any request.
    /// </summary>
    /// <remarks>The default value is <see langword="null"/>.</remarks>
    public string? RequiredApiKey { get; set; }

    /// <summary>
    /// Gets or sets how many served requests the handler remembers; older entries are dropped first.
    /// </summary>
    /// <remarks>The default value is 10,000.</remarks>
    public int RequestLogCapacity { get; set; } = 10_000;
}
