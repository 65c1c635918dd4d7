using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NanoBananaResilience.Testing.Tests.TestSupport;

/// <summary>Builds chat/completions requests and reads images out of every response shape, independently of the simulator's code.</summary>
internal static partial class Wire
{
    public static readonly Uri BaseAddress = new("https://gateway.test/v1/");

    public static readonly DateTimeOffset Monday = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    public static HttpRequestMessage Request(string model = SimulatedModels.NanoBanana2, string? imageSize = null, bool extraBody = false, string? apiKey = null)
    {
        var config = imageSize is null ? string.Empty :
            extraBody ? $",\"extra_body\":{{\"google\":{{\"image_config\":{{\"aspect_ratio\":\"16:9\",\"image_size\":\"{imageSize}\"}}}}}}" :
            $",\"image_config\":{{\"aspect_ratio\":\"16:9\",\"image_size\":\"{imageSize}\"}}";
        var json = $"{{\"model\":\"{model}\",\"messages\":[{{\"role\":\"user\",\"content\":\"a cat in a spacesuit\"}}],\"modalities\":[\"image\",\"text\"]{config}}}";
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseAddress, "chat/completions"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new("Bearer", apiKey);
        }

        return request;
    }

    /// <summary>An instant at which the model is healthy (outside every episode).</summary>
    public static DateTimeOffset HealthyInstant(SimulatedGeminiHandler handler, string model)
    {
        for (var t = Monday.AddHours(2); ; t = t.AddMinutes(7))
        {
            if (!handler.IsOverloaded(model, t))
            {
                return t;
            }
        }
    }

    /// <summary>An instant in the middle of the first overload episode of the week.</summary>
    public static DateTimeOffset OverloadedInstant(SimulatedGeminiHandler handler, string model)
    {
        var episode = handler.GetOverloadEpisodes(model, Monday, Monday.AddDays(7))[0];
        return episode.Start + (episode.Duration / 2);
    }

    /// <summary>Every image in the body, in document order, with whether it was marked as a thought.</summary>
    public static List<(byte[] Bytes, string MediaType, bool Thought)> Images(JsonElement root)
    {
        var images = new List<(byte[], string, bool)>();
        if (root.TryGetProperty("candidates", out var candidates))
        {
            foreach (var part in candidates[0].GetProperty("content").GetProperty("parts").EnumerateArray())
            {
                if (part.TryGetProperty("inlineData", out var inline) || part.TryGetProperty("inline_data", out inline))
                {
                    var mime = inline.TryGetProperty("mimeType", out var m) ? m.GetString()! : inline.GetProperty("mime_type").GetString()!;
                    var thought = part.TryGetProperty("thought", out var t) && t.GetBoolean();
                    images.Add((Convert.FromBase64String(inline.GetProperty("data").GetString()!), mime, thought));
                }
            }

            return images;
        }

        var message = root.GetProperty("choices")[0].GetProperty("message");
        if (message.TryGetProperty("images", out var list))
        {
            foreach (var item in list.EnumerateArray())
            {
                var url = item.GetProperty("image_url");
                images.Add(FromDataUrl(url.ValueKind == JsonValueKind.String ? url.GetString()! : url.GetProperty("url").GetString()!));
            }
        }

        var content = message.GetProperty("content");
        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in content.EnumerateArray())
            {
                if (part.GetProperty("type").GetString() == "image_url")
                {
                    images.Add(FromDataUrl(part.GetProperty("image_url").GetProperty("url").GetString()!));
                }
            }
        }
        else if (content.ValueKind == JsonValueKind.String)
        {
            foreach (Match match in MarkdownImage().Matches(content.GetString()!))
            {
                images.Add(FromDataUrl(match.Groups["url"].Value));
            }
        }

        return images;
    }

    public static bool IsJpeg(byte[] bytes) => bytes.Length > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;

    public static bool IsPng(byte[] bytes) => bytes.AsSpan().StartsWith((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

    private static (byte[], string, bool) FromDataUrl(string url)
    {
        var match = DataUrl().Match(url);
        Assert.True(match.Success, $"Not a base64 data URL: {url[..Math.Min(40, url.Length)]}");
        return (Convert.FromBase64String(match.Groups["data"].Value), match.Groups["mime"].Value, false);
    }

    [GeneratedRegex(@"!\[[^\]]*\]\((?<url>data:[^)]+)\)")]
    private static partial Regex MarkdownImage();

    [GeneratedRegex(@"^data:(?<mime>[a-z]+/[a-z0-9.+-]+);base64,(?<data>[A-Za-z0-9+/=]+)$")]
    private static partial Regex DataUrl();
}
