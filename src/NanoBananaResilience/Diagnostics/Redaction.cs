using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

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

    /// <summary>
    /// Keys shorter than this are hidden only where they stand alone: real keys are far longer, and the letters of a
    /// placeholder key such as <c>x</c> occur inside ordinary words ("e[redacted]ceeded").
    /// </summary>
    private const int ShortestInWordKey = 8;

    [return: NotNullIfNotNull(nameof(text))]
    public static string? Redact(string? text, string? secret)
        => string.IsNullOrEmpty(text) || string.IsNullOrEmpty(secret) ? text
            : secret.Length < ShortestInWordKey ? WithoutStandaloneSecret(text, secret)
            : WithoutCutSecret(WithoutEscapedSecret(text.Replace(secret, Marker, StringComparison.Ordinal), secret), secret);

    private static string WithoutStandaloneSecret(string text, string secret)
    {
        var redacted = new StringBuilder(text.Length);
        var copied = 0;
        for (var at = text.IndexOf(secret, StringComparison.Ordinal); at >= 0; at = text.IndexOf(secret, at + 1, StringComparison.Ordinal))
        {
            var end = at + secret.Length;
            if (at >= copied && (at == 0 || !char.IsLetterOrDigit(text[at - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end])))
            {
                redacted.Append(text, copied, at - copied).Append(Marker);
                copied = end;
            }
        }

        return copied == 0 ? text : redacted.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// Body excerpts are raw JSON, and JSON writers escape some characters a key may hold (PHP writes <c>/</c> as
    /// <c>\/</c>, .NET <c>+</c> as <c>\u002B</c>, Go <c>&amp;</c> as <c>\u0026</c>): such an echo is the key too.
    /// </summary>
    private static string WithoutEscapedSecret(string text, string secret)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        StringBuilder? redacted = null;
        var copied = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var length = EscapedLength(text, i, secret);
            if (length > 0)
            {
                redacted ??= new StringBuilder(text.Length);
                redacted.Append(text, copied, i - copied).Append(Marker);
                copied = i + length;
                i = copied - 1;
            }
        }

        return redacted is null ? text : redacted.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>How many characters from <paramref name="start"/> spell the secret, each as itself or JSON-escaped; 0 when they do not.</summary>
    private static int EscapedLength(string text, int start, string secret)
    {
        var at = start;
        foreach (var c in secret)
        {
            if (at < text.Length && text[at] == c)
            {
                at++;
            }
            else if (at + 1 < text.Length && text[at] == '\\' && text[at + 1] == c && c is '/' or '"' or '\\')
            {
                at += 2;
            }
            else if (at + 6 <= text.Length && text[at] == '\\' && text[at + 1] == 'u'
                && int.TryParse(text.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) && code == c)
            {
                at += 6;
            }
            else
            {
                return 0;
            }
        }

        return at - start;
    }

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
