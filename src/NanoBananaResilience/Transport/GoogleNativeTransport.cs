namespace NanoBananaResilience;

/// <summary>
/// Google's Gemini API: <c>POST {BaseAddress}models/{model}:generateContent</c> with the key in the
/// <c>x-goog-api-key</c> header.
/// </summary>
/// <remarks>
/// The key goes in the header, never as <c>?key=</c>: an address ends up in logs, traces and exception messages. The
/// non-streaming method is used because an image model sends its image whole, at the end, either way; the response
/// reader already streams the body, so <c>streamGenerateContent</c> would add framing and mid-stream errors for nothing.
/// </remarks>
internal sealed class GoogleNativeTransport(GatewayOptions gateway) : IGatewayTransport
{
    private const string ApiKeyHeader = "x-goog-api-key";

    /// <summary>Prefixes users carry over from elsewhere: Google's resource name and OpenRouter's vendor prefix.</summary>
    private static readonly string[] ModelPrefixes = ["models/", "google/"];

    private readonly Uri _base = GatewayTransport.Directory(gateway.BaseAddress!);
    private readonly string _apiKey = gateway.ApiKey!;

    public HttpRequestMessage CreateRequest(string model, NanoBananaRequest request)
    {
        // Escaped, so that an id with a '/' or '?' of its own stays one path segment (and draws Google's 404).
        var path = "models/" + Uri.EscapeDataString(BareModelId(model)) + ":generateContent";
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, path))
        {
            Content = new PooledJsonContent(GenerateContentWriter.Write(request)),
        };
        message.Headers.Add(ApiKeyHeader, _apiKey);
        return message;
    }

    /// <summary>
    /// The id as Google's path takes it: without one leading <c>models/</c> or <c>google/</c>, so a chain copied from
    /// Google's model list or from an OpenRouter configuration works. Everywhere else the id stays as configured.
    /// </summary>
    public static string BareModelId(string model)
    {
        foreach (var prefix in ModelPrefixes)
        {
            if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return model[prefix.Length..];
            }
        }

        return model;
    }
}
