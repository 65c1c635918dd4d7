namespace NanoBananaResilience;

/// <summary>The API a gateway speaks: how the request for each attempt is addressed, authorised and written.</summary>
public enum GatewayProtocol
{
    /// <summary>
    /// OpenAI-style <c>POST {BaseAddress}chat/completions</c> with <c>Authorization: Bearer …</c> and the model in the
    /// body (OpenRouter, LiteLLM, Portkey, resellers).
    /// </summary>
    OpenAICompatible,

    /// <summary>
    /// Google's own Gemini API: <c>POST {BaseAddress}models/{model}:generateContent</c> with the key in the
    /// <c>x-goog-api-key</c> header, for example with <c>BaseAddress</c> <c>https://generativelanguage.googleapis.com/v1beta/</c>.
    /// </summary>
    GoogleNative,
}
