namespace NanoBananaResilience.Testing;

/// <summary>
/// The body layouts in which gateways return a generated image. Each matches a recorded or documented wire sample.
/// </summary>
/// <remarks>
/// The Google-native endpoint (<c>models/{model}:generateContent</c>) always answers in Google's format: there a
/// <c>GeminiNative…</c> shape is used as it is and any other shape means <see cref="GeminiNative"/>.
/// </remarks>
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
    /// Gemini-native as Gemini 3 Pro answers while thinking: a thought text part and an interim image part, both
    /// marked <c>"thought": true</c>, then the final image.
    /// </summary>
    GeminiNativeWithThought,

    /// <summary>
    /// Gemini-native with a text part before the image, as the models answer when they add a sentence.
    /// </summary>
    GeminiNativeWithText,
}
