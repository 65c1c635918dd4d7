using System.Text;
using Microsoft.Extensions.Options;

namespace NanoBananaResilience;

/// <summary>
/// Configures a <see cref="NanoBananaClient"/>: where to send requests, which models to try in which order,
/// and how to retry, time out, break and fall back. Binds from the configuration section <c>NanoBanana</c>.
/// </summary>
/// <remarks>
/// <see cref="ToString"/> never prints <see cref="ApiKey"/> or a header's value: it is safe to log an instance.
/// </remarks>
public sealed class NanoBananaOptions
{
    /// <summary>The configuration section these options bind from: <c>NanoBanana</c>.</summary>
    public const string SectionName = "NanoBanana";

    /// <summary>The section a named client binds from: <c>NanoBanana:Clients:{name}</c>, apart from every setting's own key.</summary>
    internal static string SectionFor(string name) => $"{SectionName}:Clients:{name}";

    /// <summary>
    /// Gets or sets the base address of the endpoint, for example <c>https://openrouter.ai/api/v1/</c>, to which
    /// <c>chat/completions</c> is appended; with <see cref="Protocol"/> <see cref="GatewayProtocol.GoogleNative"/>,
    /// Google's <c>https://generativelanguage.googleapis.com/v1beta/</c>, to which <c>models/{model}:generateContent</c> is appended.
    /// It must be absolute, and <c>https</c> unless the host is loopback or <see cref="AllowInsecureHttp"/> is set.
    /// The default value is <see langword="null"/>, which fails validation unless <see cref="Gateways"/> is set.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// Gets or sets the API key, sent as <c>Authorization: Bearer …</c>, or as <c>x-goog-api-key</c> with
    /// <see cref="GatewayProtocol.GoogleNative"/> (a header, never the URL). It never appears in logs, exceptions,
    /// <see cref="object.ToString"/> or telemetry.
    /// The default value is <see langword="null"/>, which fails validation unless <see cref="Gateways"/> is set.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets the headers added to every request, by name: for example <c>x-portkey-provider</c> → <c>google</c> and
    /// <c>x-portkey-strict-open-ai-compliance</c> → <c>false</c> for Portkey. With <see cref="Gateways"/>, they go to every
    /// gateway, and a gateway's own <see cref="GatewayOptions.Headers"/> entry of the same name wins (an empty one keeps
    /// the header off that gateway). Values may be secrets (Portkey's <c>x-portkey-api-key</c>): they never appear in
    /// logs, exceptions, <see cref="object.ToString"/> or telemetry. The headers the library writes itself
    /// (<c>Authorization</c>, <c>x-goog-api-key</c>, <c>Accept</c>, <c>Host</c>, the body's <c>Content-Type</c>,
    /// <c>Content-Length</c> and the like) and connection headers fail validation. The default value is an empty map.
    /// </summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets the model chain in its off-peak order, each with its own attempt budget.
    /// When the list is left empty, <see cref="NanoBananaModels.DefaultChain"/> is used:
    /// <c>gemini-3.1-flash-image-preview</c> (3 attempts) then <c>gemini-3-pro-image-preview</c> (2 attempts).
    /// The default value is an empty list (meaning the default chain).
    /// </summary>
    [ValidateEnumeratedItems]
    public IList<ModelOptions> Models { get; } = [];

    /// <summary>
    /// Gets the gateways through which the chain's models are reached, when there are several (the same model through
    /// several providers, resellers or keys). Leave it empty and set <see cref="BaseAddress"/> and <see cref="ApiKey"/>
    /// for one gateway; set one or the other, not both. Each model is tried on its gateways in the order
    /// <see cref="GatewaySelection"/> gives, each gateway with the model's <see cref="ModelOptions.MaxAttempts"/>,
    /// before the chain moves on to the next model. The default value is an empty list.
    /// </summary>
    [ValidateEnumeratedItems]
    public IList<GatewayOptions> Gateways { get; } = [];

    /// <summary>
    /// Gets or sets in which order a call tries the gateways that serve a model.
    /// The default value is <see cref="GatewaySelection.Ordered"/>.
    /// </summary>
    public GatewaySelection GatewaySelection { get; set; } = GatewaySelection.Ordered;

    /// <summary>Gets the peak-hour window inside which the chain is reversed.</summary>
    [ValidateObjectMembers]
    public PeakHoursOptions PeakHours { get; } = new();

    /// <summary>Gets the backoff settings for retries on one model.</summary>
    [ValidateObjectMembers]
    public RetryOptions Retry { get; } = new();

    /// <summary>Gets the per-model circuit breaker and cooldown settings.</summary>
    [ValidateObjectMembers]
    public CircuitBreakerOptions CircuitBreaker { get; } = new();

    /// <summary>Gets the optional spending limits, per call and per rolling period; none by default.</summary>
    [ValidateObjectMembers]
    public BudgetOptions Budget { get; } = new();
    /// <summary>Gets the settings for fetching images that a response gives as an address; off by default.</summary>
    [ValidateObjectMembers]
    public ImageDownloadOptions ImageDownload { get; } = new();

    /// <summary>
    /// Gets or sets the time one attempt may take, from sending the request to the last byte of the body.
    /// The default value is 2 minutes.
    /// </summary>
    [ConfigRange("00:00:00.01", "1.00:00:00")] // Polly refuses timeouts outside this when it builds the pipeline
    public TimeSpan AttemptTimeout { get; set; } = OptionsDefaults.AttemptTimeout;

    /// <summary>
    /// Gets or sets the time a whole call may take, every model, attempt and wait included.
    /// The default value is 5 minutes.
    /// </summary>
    [ConfigRange("00:00:00", OptionBounds.LongestTimer, MinimumIsExclusive = true)]
    public TimeSpan TotalTimeout { get; set; } = OptionsDefaults.TotalTimeout;

    /// <summary>
    /// Gets or sets where the image size and aspect ratio go in the request body.
    /// The default value is <see cref="ImageConfigPlacement.ImageConfig"/> (OpenRouter and LiteLLM convention).
    /// </summary>
    public ImageConfigPlacement ImageConfigPlacement { get; set; } = ImageConfigPlacement.ImageConfig;

    /// <summary>
    /// Gets or sets the API the endpoint at <see cref="BaseAddress"/> speaks. With
    /// <see cref="GatewayProtocol.GoogleNative"/>, model ids are Google's bare ids; a leading <c>models/</c> or
    /// <c>google/</c> is dropped from the request's path, and <see cref="ImageConfigPlacement"/> does not apply.
    /// The default value is <see cref="GatewayProtocol.OpenAICompatible"/>.
    /// </summary>
    public GatewayProtocol Protocol { get; set; } = GatewayProtocol.OpenAICompatible;

    /// <summary>
    /// Gets or sets the largest total size of decoded images accepted in one response, in bytes. A larger
    /// response is abandoned while it streams, with <see cref="AttemptOutcome.ResponseTooLarge"/>.
    /// The default value is 64 MiB.
    /// </summary>
    [ConfigRange("1024", OptionBounds.LargestArray)]
    public long MaxImageBytes { get; set; } = OptionsDefaults.MaxImageBytes;

    /// <summary>
    /// Gets or sets a value indicating whether <c>http://</c> is allowed for a non-loopback
    /// <see cref="BaseAddress"/>. Leave it off: the API key would travel in clear text.
    /// The default value is <see langword="false"/>.
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>
    /// The gateways calls go through: <see cref="Gateways"/>, or one unnamed gateway made of <see cref="BaseAddress"/>,
    /// <see cref="ApiKey"/>, <see cref="Protocol"/>, <see cref="ImageConfigPlacement"/> and <see cref="AllowInsecureHttp"/>.
    /// <see cref="Headers"/> is not copied into it: every gateway gets them when its sender is built (<see cref="GatewayHeaders"/>).
    /// </summary>
    internal IReadOnlyList<GatewayOptions> GetEffectiveGateways()
        => Gateways.Count > 0
            ? [.. Gateways]
            : [new GatewayOptions
            {
                BaseAddress = BaseAddress,
                ApiKey = ApiKey,
                Protocol = Protocol,
                ImageConfigPlacement = ImageConfigPlacement,
                AllowInsecureHttp = AllowInsecureHttp,
            }];

    /// <summary>Returns the configured chain, or the default chain when <see cref="Models"/> is empty.</summary>
    internal IReadOnlyList<ModelOptions> GetEffectiveModels()
        => [.. Models.Count == 0 ? NanoBananaModels.DefaultChain() : Models];

    /// <summary>Describes the options without the API key, and the headers by name only.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("NanoBananaOptions { ");
        if (Gateways.Count > 0)
        {
            text.Append("Gateways = [").AppendJoin(", ", Gateways).Append("], GatewaySelection = ").Append(GatewaySelection);
        }
        else
        {
            text.Append("Protocol = ").Append(Protocol)
                .Append(", BaseAddress = ").Append(BaseAddress)
                .Append(", ApiKey = ").Append(string.IsNullOrEmpty(ApiKey) ? "<not set>" : "<redacted>");
        }

        text.Append(GatewayHeaders.Describe(Headers))
            .Append(", Models = [")
            .AppendJoin(", ", GetEffectiveModels().Select(m => $"{m.Id}×{m.MaxAttempts}"))
            .Append("], AttemptTimeout = ").Append(AttemptTimeout)
            .Append(", TotalTimeout = ").Append(TotalTimeout)
            .Append(", PeakHours = ").Append(PeakHours.Enabled ? $"[{PeakHours.Start}, {PeakHours.End}) UTC" : "off")
            .Append(", ImageDownload = ").Append(ImageDownload.Enabled ? "on" : "off")
            .Append(" }");
        return text.ToString();
    }
}
