using System.Text.Json;

namespace NanoBananaResilience;

/// <summary>
/// Writes the body of Google's <c>generateContent</c> for one attempt: one user turn whose parts are the prompt and
/// then each reference image as <c>inlineData</c>, text and image answers asked for, and the image configuration
/// under <c>generationConfig.imageConfig</c>. The model is named in the path, not here.
/// </summary>
internal static class GenerateContentWriter
{
    public static PooledBufferWriter Write(NanoBananaRequest request)
        => JsonRequestBody.Write(request, request, static (writer, r) => WriteBody(writer, r));

    private static void WriteBody(Utf8JsonWriter writer, NanoBananaRequest request)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("contents"u8);
        writer.WriteStartObject();
        writer.WriteString("role"u8, "user"u8);
        writer.WriteStartArray("parts"u8);
        writer.WriteStartObject();
        writer.WriteString("text"u8, request.Prompt);
        writer.WriteEndObject();
        foreach (var image in request.ReferenceImages)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("inlineData"u8);
            writer.WriteString("mimeType"u8, image.MediaType);
            writer.WriteBase64String("data"u8, image.Data.Span); // encoded straight into the buffer, never escaped
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();

        writer.WriteStartObject("generationConfig"u8);
        writer.WriteStartArray("responseModalities"u8);
        writer.WriteStringValue("TEXT"u8);
        writer.WriteStringValue("IMAGE"u8);
        writer.WriteEndArray();
        if (request.Size is not null || request.AspectRatio is not null)
        {
            writer.WriteStartObject("imageConfig"u8);
            if (request.AspectRatio is { } ratio)
            {
                writer.WriteString("aspectRatio"u8, ratio.ToString());
            }

            if (request.Size is { } size)
            {
                writer.WriteString("imageSize"u8, WireSize(size));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Google's API names the half-K size by its pixels, <c>512</c>, where gateways take <c>0.5K</c>.</summary>
    private static string WireSize(ImageSize size) => size == ImageSize.HalfK ? "512" : size.WireValue;
}
