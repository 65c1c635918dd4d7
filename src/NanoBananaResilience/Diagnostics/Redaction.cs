using System.Diagnostics.CodeAnalysis;

namespace NanoBananaResilience;

/// <summary>
/// Removes the API key from text that came back from the wire. Some gateways echo the <c>Authorization</c>
/// header in their error messages; that text flows into attempt details, exception messages, body excerpts and
/// logs, so it is cleaned once, where the response is read.
/// </summary>
internal static class Redaction
{
    public const string Marker = "[redacted]";

    [return: NotNullIfNotNull(nameof(text))]
    public static string? Redact(string? text, string? secret)
        => string.IsNullOrEmpty(text) || string.IsNullOrEmpty(secret) ? text : text.Replace(secret, Marker, StringComparison.Ordinal);
}
