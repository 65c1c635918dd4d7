using System.Text.Json;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// What the simulation needs from a request, in either dialect: the model, the requested image size, a rough prompt
/// length for the token counts, and whether the answer must be in Google's own format.
/// </summary>
internal sealed class SimulatedRequest
{
    private SimulatedRequest(string requestedModel, string imageSize, int promptCharacters, bool native)
    {
        RequestedModel = requestedModel;
        ImageSize = imageSize;
        PromptCharacters = promptCharacters;
        Native = native;

        // Gateways prefix the vendor ("google/gemini-3-pro-image-preview"); the simulated world is keyed by the bare id.
        var slash = requestedModel.LastIndexOf('/');
        ModelId = slash >= 0 ? requestedModel[(slash + 1)..] : requestedModel;
    }

    public string RequestedModel { get; }

    public string ModelId { get; }

    public string ImageSize { get; }

    public int PromptCharacters { get; }

    /// <summary>The request came to <c>models/{model}:generateContent</c>: answers are Google-native.</summary>
    public bool Native { get; }

    /// <summary>Parses a <c>chat/completions</c> body; returns an error message instead of throwing on anything malformed.</summary>
    public static SimulatedRequest? TryParseChat(ReadOnlySpan<byte> body, out string? error)
    {
        using var document = Parse(body, out error);
        if (document is null)
        {
            return null;
        }

        var root = document.RootElement;
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(model.GetString()))
        {
            error = "Invalid JSON payload received. Required field \"model\" is missing.";
            return null;
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            error = "Invalid JSON payload received. Required field \"messages\" is missing or empty.";
            return null;
        }

        return new SimulatedRequest(model.GetString()!, ReadChatImageSize(root), CountText(messages), native: false);
    }

    /// <summary>Parses a <c>generateContent</c> body for the model named in the path.</summary>
    public static SimulatedRequest? TryParseGenerateContent(string model, ReadOnlySpan<byte> body, out string? error)
    {
        using var document = Parse(body, out error);
        if (document is null)
        {
            return null;
        }

        var root = document.RootElement;
        if (!root.TryGetProperty("contents", out var contents) || contents.ValueKind != JsonValueKind.Array || contents.GetArrayLength() == 0)
        {
            error = "* GenerateContentRequest.contents: contents is not specified";
            return null;
        }

        // generationConfig.imageConfig.imageSize; the REST API also takes snake case.
        var size = "1K";
        if (TryGetEither(root, "generationConfig", "generation_config", out var config) &&
            TryGetEither(config, "imageConfig", "image_config", out var image) &&
            TryGetEither(image, "imageSize", "image_size", out var value) && value.ValueKind == JsonValueKind.String &&
            !string.IsNullOrWhiteSpace(value.GetString()))
        {
            size = value.GetString()!.Trim();
        }

        // Google names the half-K size by its pixels; the simulated world keys it as gateways do.
        return new SimulatedRequest(model, size == "512" ? "0.5K" : size, CountText(contents), native: true);
    }

    private static JsonDocument? Parse(ReadOnlySpan<byte> body, out string? error)
    {
        try
        {
            var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                error = null;
                return document;
            }

            document.Dispose();
            error = "Invalid JSON payload received. Expected an object.";
        }
        catch (JsonException)
        {
            error = "Invalid JSON payload received. Unable to parse the request body.";
        }

        return null;
    }

    private static bool TryGetEither(JsonElement owner, string camel, string snake, out JsonElement value)
    {
        value = default;
        return owner.ValueKind == JsonValueKind.Object && (owner.TryGetProperty(camel, out value) || owner.TryGetProperty(snake, out value)) && value.ValueKind != JsonValueKind.Null;
    }

    /// <summary>OpenRouter puts <c>image_config</c> at the top level; new-api style proxies under <c>extra_body.google</c>.</summary>
    private static string ReadChatImageSize(JsonElement root)
    {
        if (TryGetSize(root, out var size))
        {
            return size;
        }

        if (root.TryGetProperty("extra_body", out var extra) && extra.ValueKind == JsonValueKind.Object &&
            extra.TryGetProperty("google", out var google) && google.ValueKind == JsonValueKind.Object &&
            TryGetSize(google, out size))
        {
            return size;
        }

        return "1K";
    }

    private static bool TryGetSize(JsonElement owner, out string size)
    {
        if (owner.TryGetProperty("image_config", out var config) && config.ValueKind == JsonValueKind.Object &&
            config.TryGetProperty("image_size", out var value) && value.ValueKind == JsonValueKind.String &&
            !string.IsNullOrWhiteSpace(value.GetString()))
        {
            size = value.GetString()!.Trim();
            return true;
        }

        size = string.Empty;
        return false;
    }

    private static int CountText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!.Length,
        JsonValueKind.Array => element.EnumerateArray().Sum(CountText),
        JsonValueKind.Object => element.EnumerateObject()
            .Where(p => p.NameEquals("content") || p.NameEquals("text") || p.NameEquals("parts"))
            .Sum(p => CountText(p.Value)),
        _ => 0,
    };
}
