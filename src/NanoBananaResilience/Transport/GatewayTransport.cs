namespace NanoBananaResilience;

/// <summary>Picks the transport for <see cref="NanoBananaOptions.Protocol"/>.</summary>
internal static class GatewayTransport
{
    public static IGatewayTransport For(NanoBananaOptions options) => options.Protocol switch
    {
        GatewayProtocol.GoogleNative => new GoogleNativeTransport(options),
        _ => new OpenAICompatibleTransport(options),
    };

    /// <summary>The base address as a directory, so that relative paths are appended to it instead of replacing its last segment.</summary>
    public static Uri Directory(Uri baseAddress)
        => baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
}
