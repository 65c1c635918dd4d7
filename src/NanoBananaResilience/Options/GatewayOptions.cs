namespace NanoBananaResilience;

/// <summary>
/// One gateway (a provider, a reseller, or the same provider under another key) through which the chain's models can
/// be reached. A model reached through one gateway is a <em>route</em>: each route has its own health, and a failure
/// that belongs to the gateway itself (a refused key, a refused connection) rests every route of that gateway and
/// none of another's. Binds from <c>NanoBanana:Gateways:{index}</c>.
/// </summary>
/// <remarks>
/// <see cref="ToString"/> never prints <see cref="ApiKey"/> or a header's value: it is safe to log an instance.
/// </remarks>
public sealed class GatewayOptions
{
    /// <summary>
    /// Gets or sets the name the trail, exceptions, telemetry and the cost meter use for this gateway, for example
    /// <c>openrouter</c>. Letters, digits, <c>-</c>, <c>_</c> and <c>.</c>; unique within the client.
    /// The default value is empty, which fails validation: it is required.
    /// </summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the gateway's base address, with the same rules as <see cref="NanoBananaOptions.BaseAddress"/>.
    /// The default value is <see langword="null"/>, which fails validation: it is required.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// Gets or sets the gateway's API key. It never appears in logs, exceptions, <see cref="object.ToString"/> or telemetry.
    /// The default value is <see langword="null"/>, which fails validation: it is required.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the API the gateway speaks. The default value is <see cref="GatewayProtocol.OpenAICompatible"/>.
    /// </summary>
    public GatewayProtocol Protocol { get; set; } = GatewayProtocol.OpenAICompatible;

    /// <summary>
    /// Gets or sets where the image size and aspect ratio go in this gateway's request body.
    /// The default value is <see cref="ImageConfigPlacement.ImageConfig"/>.
    /// </summary>
    public ImageConfigPlacement ImageConfigPlacement { get; set; } = ImageConfigPlacement.ImageConfig;

    /// <summary>
    /// Gets or sets a value indicating whether <c>http://</c> is allowed for a non-loopback <see cref="BaseAddress"/>.
    /// The default value is <see langword="false"/>.
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>
    /// Gets or sets this gateway's share of first tries when <see cref="NanoBananaOptions.GatewaySelection"/> is
    /// <see cref="GatewaySelection.Weighted"/>; ignored when it is <see cref="GatewaySelection.Ordered"/>.
    /// The default value is 1.
    /// </summary>
    [ConfigRange("1", "1000")]
    public int Weight { get; set; } = 1;

    /// <summary>
    /// Gets the chain's models this gateway serves, by the ids of <see cref="NanoBananaOptions.Models"/>. When the list
    /// is left empty, the gateway serves every model of the chain. The default value is an empty list.
    /// </summary>
    public IList<string> Models { get; } = [];

    /// <summary>
    /// Gets how this gateway spells a model's id on the wire, keyed by the chain's id: for example
    /// <c>gemini-3-pro-image-preview</c> → <c>google/gemini-3-pro-image-preview</c> on OpenRouter. A model not
    /// listed is sent under the chain's id. The trail and the cost meter always use the chain's id.
    /// The default value is an empty map.
    /// </summary>
    public IDictionary<string, string> ModelIds { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets what one image costs through this gateway, in USD, keyed by the chain's model id; it replaces the model's
    /// own price for this route (a reseller's discount, a gateway's margin). A model not listed keeps its price.
    /// The default value is an empty map.
    /// </summary>
    public IDictionary<string, decimal> PricePerImageUsd { get; } = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets the headers added to every request sent to this gateway, by name: for example <c>x-portkey-provider</c> →
    /// <c>google</c>. They come on top of <see cref="NanoBananaOptions.Headers"/>: a name set in both sends this
    /// gateway's value, and an empty value here keeps that header off this gateway's requests. Values may be secrets
    /// (Portkey's <c>x-portkey-api-key</c>): they never appear in logs, exceptions, <see cref="ToString"/> or telemetry.
    /// The headers the library writes itself (<c>Authorization</c>, <c>x-goog-api-key</c>, <c>Accept</c>, <c>Host</c>,
    /// the body's <c>Content-Type</c>, <c>Content-Length</c> and the like) and connection headers fail validation.
    /// The default value is an empty map.
    /// </summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Describes the gateway without its API key, and its headers by name only.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString()
        => $"{Name} ({Protocol}, {BaseAddress}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "<not set>" : "<redacted>")}{GatewayHeaders.Describe(Headers)})";
}
