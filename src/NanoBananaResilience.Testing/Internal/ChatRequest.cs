using System.Text.Json;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// What the simulation needs from a chat/completions request body: the model, the requested image size and a rough
/// prompt length for the token counts.
/// </summary>
internal sealed class ChatRequest
{
    private ChatRequest(string requestedModel, string imageSize, int promptCharacters)
    {
        RequestedModel = requestedModel;
        ImageSize = imageSize;
        PromptCharacters = promptCharacters;

        // Gateways prefix the vendor ("google/gemini-3-pro-image-preview"); the simulated world is keyed by the bare id.
        var slash = requestedModel.LastIndexOf('/');
        ModelId = slash >= 0 ? requestedModel[(slash + 1)..] : requestedModel;
    }

    public string RequestedModel { get; }

    public string ModelId { get; }

    public string ImageSize { get; }

    public int PromptCharacters { get; }

    /// <summary>Parses the body; returns an error message instead of throwing on anything malformed.</summary>
    public static ChatRequest? TryParse(ReadOnlySpan<byte> body, out string? error)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "Invalid JSON payload received. Expected an object.";
                return null;
            }

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

            error = null;
            return new ChatRequest(model.GetString()!, ReadImageSize(root), CountText(messages));
        }
        catch (JsonException)
        {
            error = "Invalid JSON payload received. Unable to parse the request body.";
            return null;
        }
    }

    /// <summary>OpenRouter puts <c>image_config</c> at the top level; new-api style proxies under <c>extra_body.google</c>.</summary>
    private static string ReadImageSize(JsonElement root)
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
            .Where(p => p.NameEquals("content") || p.NameEquals("text"))
            .Sum(p => CountText(p.Value)),
        _ => 0,
    };
}
