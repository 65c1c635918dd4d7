using System.Text.Json;
using System.Text.Json.Serialization;

namespace NanoBananaResilience.Benchmarks.Decode;

/// <summary>
/// The two ways image bodies are usually read, as baselines. Each takes a <c>checkpoint</c> called between its
/// steps, used only by the held-memory mode (null in benchmarks).
/// </summary>
public static class CommonDecoders
{
    /// <summary>The usual code: the body as a string, a DTO from <see cref="JsonSerializer"/>, then <see cref="Convert.FromBase64String"/>.</summary>
    public static async Task<byte[]> UsualAsync(HttpContent content, Action? checkpoint = null)
    {
        var json = await content.ReadAsStringAsync();
        checkpoint?.Invoke();
        var response = JsonSerializer.Deserialize(json, UsualJsonContext.Default.ChatResponse)!;
        checkpoint?.Invoke();
        var url = response.Choices[0].Message.Images[0].ImageUrl.Url;
        var image = Convert.FromBase64String(url[(url.IndexOf(',', StringComparison.Ordinal) + 1)..]);
        checkpoint?.Invoke();
        return image;
    }

    /// <summary>What SDKs tend to do: the body as bytes, a <see cref="JsonDocument"/>, the URL as a string, then base64.</summary>
    public static async Task<byte[]> SdkLikeAsync(HttpContent content, Action? checkpoint = null)
    {
        var bytes = await content.ReadAsByteArrayAsync();
        checkpoint?.Invoke();
        using var document = JsonDocument.Parse(bytes);
        checkpoint?.Invoke();
        var url = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("images")[0]
            .GetProperty("image_url").GetProperty("url").GetString()!;
        checkpoint?.Invoke();
        var image = Convert.FromBase64String(url[(url.IndexOf(',', StringComparison.Ordinal) + 1)..]);
        checkpoint?.Invoke();
        return image;
    }
}

/// <summary>The usual DTOs for an OpenRouter answer.</summary>
public sealed record ChatResponse([property: JsonPropertyName("choices")] IReadOnlyList<ChatChoice> Choices);

/// <summary>One choice.</summary>
public sealed record ChatChoice([property: JsonPropertyName("message")] ChatMessage Message);

/// <summary>The assistant's message.</summary>
public sealed record ChatMessage([property: JsonPropertyName("images")] IReadOnlyList<ChatImage> Images);

/// <summary>One image of the message.</summary>
public sealed record ChatImage([property: JsonPropertyName("image_url")] ChatImageUrl ImageUrl);

/// <summary>The image's data URL.</summary>
public sealed record ChatImageUrl([property: JsonPropertyName("url")] string Url);

/// <summary>Source-generated metadata, as a careful application would have.</summary>
[JsonSerializable(typeof(ChatResponse))]
internal sealed partial class UsualJsonContext : JsonSerializerContext;
