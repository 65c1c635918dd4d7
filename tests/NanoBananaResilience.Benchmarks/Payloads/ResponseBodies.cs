using System.Text;

namespace NanoBananaResilience.Benchmarks.Payloads;

/// <summary>Response bodies shaped like the gateways' (OpenRouter's <c>images[]</c> with a data URL), built once per run.</summary>
public static class ResponseBodies
{
    public const int MiB = 1024 * 1024;

    /// <summary>The prefix of the data URL, and of the base64 inside the body.</summary>
    public const string DataUrlPrefix = "data:image/png;base64,";

    private const string Head = """{"id":"gen-1","model":"google/gemini-3.1-flash-image-preview","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"","images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,""";
    private const string Tail = "\"}}]}}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":1290,\"total_tokens\":1302}}";

    /// <summary>A PNG-headed image of <paramref name="size"/> random bytes (random, so base64 has every character, '/' included).</summary>
    public static byte[] Image(int size)
    {
        var image = new byte[size];
        new Random(42).NextBytes(image);

        // Signature and an IHDR giving 1×1: enough for the library's sniffing, which trusts magic numbers only.
        byte[] header = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1];
        header.AsSpan(0, Math.Min(header.Length, size)).CopyTo(image);
        return image;
    }

    /// <summary>The whole body around <paramref name="image"/>; with <paramref name="escapeSlashes"/>, every '/' of the base64 is written <c>\/</c> (PHP and some proxies do).</summary>
    public static byte[] Success(byte[] image, bool escapeSlashes = false)
    {
        var base64 = Convert.ToBase64String(image);
        if (escapeSlashes)
        {
            base64 = base64.Replace("/", "\\/", StringComparison.Ordinal);
        }

        return Encoding.ASCII.GetBytes(Head + base64 + Tail);
    }

    /// <summary>The UTF-8 base64 of <paramref name="image"/> alone, for the decode floor.</summary>
    public static byte[] Base64(byte[] image) => Encoding.ASCII.GetBytes(Convert.ToBase64String(image));

    /// <summary>Gemini's overloaded answer, as gateways pass it on.</summary>
    public static byte[] Overloaded() => """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"""u8.ToArray();

    /// <summary>The request body a caller would send by hand for the bare baseline.</summary>
    public static byte[] Request() => """{"model":"gemini-3.1-flash-image-preview","messages":[{"role":"user","content":"a banana"}],"modalities":["image","text"],"stream":false}"""u8.ToArray();
}
