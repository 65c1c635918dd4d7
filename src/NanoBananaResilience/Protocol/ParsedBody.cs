namespace NanoBananaResilience;

/// <summary>Everything read from one response body, before any policy looks at it.</summary>
internal sealed class ParsedBody
{
    public static readonly ParsedBody Empty = new();

    /// <summary>The answer's images, thought images removed; data URLs and inline data alike.</summary>
    public List<ResponseImage> Images { get; } = [];

    /// <summary>A data-URL or inline image whose base64 was invalid, or whose bytes are not an image.</summary>
    public string? InvalidImage { get; set; }

    public string? Text { get; set; }

    /// <summary><c>finish_reason</c>, <c>native_finish_reason</c> or <c>finishReason</c>; the most specific one.</summary>
    public string? FinishReason { get; set; }

    /// <summary><c>promptFeedback.blockReason</c>.</summary>
    public string? BlockReason { get; set; }

    public NanoBananaUsage? Usage { get; set; }

    public ProviderError? Error { get; set; }

    public string? Model { get; set; }

    /// <summary>The answer's <c>id</c> (<c>responseId</c> in Google's shape); gateways can be told apart by it.</summary>
    public string? ResponseId { get; set; }

    /// <summary>A choice's message carried <c>content_blocks</c> (Portkey with strict OpenAI compliance off).</summary>
    public bool HasContentBlocks { get; set; }

    /// <summary>False when the body was not JSON at all (an HTML page, a cut body).</summary>
    public bool IsJson { get; set; } = true;

    /// <summary>True for an HTML page.</summary>
    public bool IsHtml { get; set; }

    /// <summary>The start of the body without images, for exceptions.</summary>
    public string? Excerpt { get; set; }
}

/// <summary>An image of the answer: bytes, or an address when the gateway hosts the image.</summary>
internal readonly record struct ResponseImage(ReadOnlyMemory<byte> Data, string? DeclaredMediaType, Uri? Url, ImageInfo Info = default);
