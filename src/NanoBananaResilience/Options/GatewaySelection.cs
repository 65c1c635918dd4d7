namespace NanoBananaResilience;

/// <summary>In which order a call tries the gateways that serve a model.</summary>
public enum GatewaySelection
{
    /// <summary>In the order of <see cref="NanoBananaOptions.Gateways"/>: the first is the primary, the others its fallbacks.</summary>
    Ordered,

    /// <summary>
    /// Each call draws the first gateway by <see cref="GatewayOptions.Weight"/>, then the next among the rest, and so
    /// on: load spread over several keys or providers, with every gateway still a fallback for the others.
    /// </summary>
    Weighted,
}
