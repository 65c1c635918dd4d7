namespace NanoBananaResilience;

/// <summary>Picks the transport for a gateway's <see cref="GatewayOptions.Protocol"/>: the seam a new protocol plugs into.</summary>
internal static class GatewayTransport
{
    public static IGatewayTransport For(GatewayOptions gateway) => gateway.Protocol switch
    {
        GatewayProtocol.GoogleNative => new GoogleNativeTransport(gateway),
        _ => new OpenAICompatibleTransport(gateway),
    };

    /// <summary>The base address as a directory, so that relative paths are appended to it instead of replacing its last segment.</summary>
    public static Uri Directory(Uri baseAddress)
        => baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
}
