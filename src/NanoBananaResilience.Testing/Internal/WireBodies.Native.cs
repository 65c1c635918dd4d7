using System.Text.Json;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// Google's own wire format (<c>generateContent</c>): the answers served on the native endpoint, and by the
/// chat endpoint in the <c>GeminiNative…</c> shapes, as proxies that pass Google's body through do.
/// </summary>
internal static partial class WireBodies
{
    private const string ThoughtText = "**Planning the scene**\n\nA small cat, a silver suit, the planet behind. A quick sketch first to check the composition.";
    private const string AnswerText = "Here is your image.";

    public static bool IsNative(SimulatedResponseShape shape)
        => shape is SimulatedResponseShape.GeminiNative or SimulatedResponseShape.GeminiNativeSnakeCase
            or SimulatedResponseShape.GeminiNativeWithThought or SimulatedResponseShape.GeminiNativeWithText;

    /// <summary>An answer in Google's format; a chat-style <paramref name="shape"/> means plain <c>GeminiNative</c>.</summary>
    public static byte[] NativeAnswer(SimulatedResponseShape shape, SimulatedOutcome outcome, AnswerContext context)
        => Json(w => WriteNative(w, IsNative(shape) ? shape : SimulatedResponseShape.GeminiNative, outcome, context));

    /// <summary>What Google answers for a missing or wrong key: 400, not 401, with the reason in an ErrorInfo.</summary>
    public static byte[] ApiKeyInvalid() => Json(w => WriteGoogleError(w, 400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", w =>
    {
        w.WriteStartObject();
        w.WriteString("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        w.WriteString("reason", "API_KEY_INVALID");
        w.WriteString("domain", "googleapis.com");
        w.WriteStartObject("metadata");
        w.WriteString("service", "generativelanguage.googleapis.com");
        w.WriteEndObject();
        w.WriteEndObject();
    }));

    /// <summary><c>streamGenerateContent?alt=sse</c>: the answer as one server-sent event (an image is never split).</summary>
    public static byte[] AsEventStream(byte[] json) => [.. "data: "u8, .. json, .. "\r\n\r\n"u8];

    /// <summary><c>streamGenerateContent</c> without <c>alt=sse</c>: a JSON array of the chunks.</summary>
    public static byte[] AsJsonArray(byte[] json) => [(byte)'[', .. json, (byte)']'];

    private static void WriteNative(Utf8JsonWriter w, SimulatedResponseShape shape, SimulatedOutcome outcome, AnswerContext context)
    {
        var snakeCase = shape == SimulatedResponseShape.GeminiNativeSnakeCase;
        string Name(string camel, string snake) => snakeCase ? snake : camel;

        var success = outcome == SimulatedOutcome.Success;
        var candidatesTokens = success ? context.ImageTokens + 12 : outcome == SimulatedOutcome.ContentBlocked ? 17 : 40;

        w.WriteStartObject();
        w.WriteStartArray("candidates");
        w.WriteStartObject();
        w.WriteStartObject("content");
        w.WriteStartArray("parts");
        if (success)
        {
            if (shape == SimulatedResponseShape.GeminiNativeWithThought)
            {
                // Gemini 3 Pro thinks aloud and shows an interim image first; only the last non-thought image is the answer.
                w.WriteStartObject();
                w.WriteString("text", ThoughtText);
                w.WriteBoolean("thought", true);
                w.WriteEndObject();
                w.WriteStartObject();
                WriteInlineData(w, SampleImages.ThoughtPng, "image/png", snakeCase);
                w.WriteBoolean("thought", true);
                w.WriteEndObject();
            }
            else if (shape == SimulatedResponseShape.GeminiNativeWithText)
            {
                w.WriteStartObject();
                w.WriteString("text", AnswerText);
                w.WriteEndObject();
            }

            w.WriteStartObject();
            WriteInlineData(w, context.Image, context.MediaType, snakeCase);
            w.WriteString(Name("thoughtSignature", "thought_signature"), "c2ltdWxhdGVkLXRob3VnaHQtc2lnbmF0dXJl");
            w.WriteEndObject();
        }
        else
        {
            w.WriteStartObject();
            w.WriteString("text", outcome == SimulatedOutcome.ContentBlocked ? RefusalText : NoImageText);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("role", "model");
        w.WriteEndObject(); // content
        w.WriteString(Name("finishReason", "finish_reason"), outcome switch
        {
            SimulatedOutcome.ContentBlocked => "IMAGE_SAFETY",
            SimulatedOutcome.NoImage => "NO_IMAGE",
            _ => "STOP",
        });
        w.WriteNumber("index", 0);
        w.WriteEndObject();
        w.WriteEndArray();

        w.WriteStartObject(Name("usageMetadata", "usage_metadata"));
        w.WriteNumber(Name("promptTokenCount", "prompt_token_count"), context.PromptTokens);
        w.WriteNumber(Name("candidatesTokenCount", "candidates_token_count"), candidatesTokens);
        w.WriteNumber(Name("totalTokenCount", "total_token_count"), context.PromptTokens + candidatesTokens);
        w.WriteStartArray(Name("promptTokensDetails", "prompt_tokens_details"));
        WriteModality(w, "TEXT", context.PromptTokens, snakeCase);
        w.WriteEndArray();
        if (success)
        {
            w.WriteStartArray(Name("candidatesTokensDetails", "candidates_tokens_details"));
            WriteModality(w, "IMAGE", context.ImageTokens, snakeCase);
            w.WriteEndArray();
        }

        w.WriteString(Name("serviceTier", "service_tier"), "standard");
        w.WriteEndObject();
        w.WriteString(Name("modelVersion", "model_version"), context.ModelId);
        w.WriteString(Name("responseId", "response_id"), context.ResponseId);
        w.WriteEndObject();
    }

    private static void WriteInlineData(Utf8JsonWriter w, byte[] image, string mediaType, bool snakeCase)
    {
        w.WriteStartObject(snakeCase ? "inline_data" : "inlineData");
        w.WriteString(snakeCase ? "mime_type" : "mimeType", mediaType);
        w.WriteBase64String("data", image);
        w.WriteEndObject();
    }

    private static void WriteModality(Utf8JsonWriter w, string modality, int tokens, bool snakeCase)
    {
        w.WriteStartObject();
        w.WriteString("modality", modality);
        w.WriteNumber(snakeCase ? "token_count" : "tokenCount", tokens);
        w.WriteEndObject();
    }
}
