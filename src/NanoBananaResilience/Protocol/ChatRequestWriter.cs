using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace NanoBananaResilience;

/// <summary>
/// Writes the <c>chat/completions</c> body for one attempt: the model of that attempt, the prompt, reference
/// images as data-URL parts after the text, and the image configuration where the gateway expects it.
/// </summary>
internal static class ChatRequestWriter
{
    public static PooledBufferWriter Write(string model, NanoBananaRequest request, ImageConfigPlacement placement)
        => JsonRequestBody.Write(request, (model, request, placement), static (writer, s) => WriteBody(writer, s.model, s.request, s.placement));

    private static void WriteBody(Utf8JsonWriter writer, string model, NanoBananaRequest request, ImageConfigPlacement placement)
    {
        writer.WriteStartObject();
        writer.WriteString("model"u8, model);
        writer.WriteStartArray("messages"u8);
        writer.WriteStartObject();
        writer.WriteString("role"u8, "user"u8);
        if (request.ReferenceImages.Count == 0)
        {
            writer.WriteString("content"u8, request.Prompt);
        }
        else
        {
            WriteParts(writer, request);
        }

        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteStartArray("modalities"u8);
        writer.WriteStringValue("image"u8);
        writer.WriteStringValue("text"u8);
        writer.WriteEndArray();
        if (request.Size is not null || request.AspectRatio is not null)
        {
            if (placement is ImageConfigPlacement.ImageConfig or ImageConfigPlacement.Both)
            {
                WriteImageConfig(writer, request);
            }

            if (placement is ImageConfigPlacement.ExtraBodyGoogle or ImageConfigPlacement.Both)
            {
                writer.WriteStartObject("extra_body"u8);
                writer.WriteStartObject("google"u8);
                WriteImageConfig(writer, request);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
        }

        writer.WriteBoolean("stream"u8, false);
        writer.WriteEndObject();
    }

    private static void WriteParts(Utf8JsonWriter writer, NanoBananaRequest request)
    {
        writer.WriteStartArray("content"u8);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "text"u8);
        writer.WriteString("text"u8, request.Prompt);
        writer.WriteEndObject();
        foreach (var image in request.ReferenceImages)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "image_url"u8);
            writer.WriteStartObject("image_url"u8);
            writer.WritePropertyName("url"u8);
            WriteDataUrl(writer, image);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <c>"data:{type};base64,{…}"</c> as a raw value: base64 and the media type need no escaping.</summary>
    private static void WriteDataUrl(Utf8JsonWriter writer, ReferenceImage image)
    {
        var prefix = Encoding.ASCII.GetBytes($"\"data:{image.MediaType};base64,");
        var length = prefix.Length + Base64.GetMaxEncodedToUtf8Length(image.Data.Length) + 1;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            prefix.CopyTo(rented, 0);
            Base64.EncodeToUtf8(image.Data.Span, rented.AsSpan(prefix.Length), out _, out var written);
            var end = prefix.Length + written;
            rented[end] = (byte)'"';
            writer.WriteRawValue(rented.AsSpan(0, end + 1), skipInputValidation: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void WriteImageConfig(Utf8JsonWriter writer, NanoBananaRequest request)
    {
        writer.WriteStartObject("image_config"u8);
        if (request.AspectRatio is { } ratio)
        {
            writer.WriteString("aspect_ratio"u8, ratio.ToString());
        }

        if (request.Size is { } size)
        {
            writer.WriteString("image_size"u8, size.WireValue);
        }

        writer.WriteEndObject();
    }
}
