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

    /// <summary>The shortest start of the key that is worth hiding where a text was cut; fewer characters say nothing.</summary>
    private const int ShortestCutKey = 4;

    [return: NotNullIfNotNull(nameof(text))]
    public static string? Redact(string? text, string? secret)
        => string.IsNullOrEmpty(text) || string.IsNullOrEmpty(secret) ? text : WithoutCutSecret(text.Replace(secret, Marker, StringComparison.Ordinal), secret);

    /// <summary>
    /// Body excerpts and details are cut to a length (then end in <c>…</c>) before they are cleaned, so an echo the
    /// cut went through leaves the key's start at the end of the text, where a whole-key match cannot see it.
    /// </summary>
    private static string WithoutCutSecret(string text, string secret)
    {
        var end = text.EndsWith('…') ? text.Length - 1 : text.Length;
        for (var length = Math.Min(secret.Length - 1, end); length >= ShortestCutKey; length--)
        {
            if (text.AsSpan(0, end).EndsWith(secret.AsSpan(0, length), StringComparison.Ordinal))
            {
                return string.Concat(text.AsSpan(0, end - length), Marker, text.AsSpan(end));
            }
        }

        return text;
    }
}
