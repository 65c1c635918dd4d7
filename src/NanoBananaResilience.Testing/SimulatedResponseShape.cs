namespace NanoBananaResilience.Testing;

/// <summary>
/// The body layouts in which gateways return a generated image. Each matches a recorded or documented wire sample.
/// </summary>
public enum SimulatedResponseShape
{
    /// <summary>
    /// OpenRouter: <c>choices[0].message.images[]</c> with <c>image_url: { url: "data:…" }</c>, and a <c>usage</c>
    /// block carrying <c>cost</c> in USD.
    /// </summary>
    OpenRouterImages,

    /// <summary>
    /// <c>choices[0].message.images[]</c> whose <c>image_url</c> is a bare data-URL string.
    /// </summary>
    ImageUrlString,

    /// <summary>
    /// A Markdown image in <c>choices[0].message.content</c>: <c>![image](data:image/jpeg;base64,…)</c>.
    /// </summary>
    MarkdownDataUrl,

    /// <summary>
    /// <c>choices[0].message.content</c> as an array of parts: a text part, then an <c>image_url</c> part.
    /// </summary>
    ContentParts,

    /// <summary>
    /// Gemini-native <c>candidates[].content.parts[].inlineData { mimeType, data }</c>, camel case.
    /// </summary>
    GeminiNative,

    /// <summary>
    /// Gemini-native with snake-case names: <c>inline_data { mime_type, data }</c>, <c>usage_metadata</c>.
    /// </summary>
    GeminiNativeSnakeCase,

    /// <summary>
    /// Gemini-native where an interim image part marked <c>"thought": true</c> precedes the final image.
    /// </summary>
    GeminiNativeWithThought,
}
