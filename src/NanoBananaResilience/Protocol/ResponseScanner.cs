using System.Buffers;
using System.Globalization;
using System.Text;

namespace NanoBananaResilience;

/// <summary>
/// Reads a response body in one streaming pass and splits it in two: base64 images, decoded as they arrive
/// into their final buffers (<see cref="ImageSink"/>), and the small rest of the JSON, the "skeleton", in which
/// each image is replaced by a placeholder <c>nb-image-ref:N</c>. The skeleton is then read with an ordinary
/// <see cref="System.Text.Json.JsonDocument"/>. This keeps a 20 MB answer at one copy of the image, with no
/// string of the base64 and no document of the whole body.
/// </summary>
/// <remarks>
/// Images are found where gateways put them: any string containing <c>data:…;base64,</c> (a data URL, bare or
/// inside Markdown), and the values of the keys <c>data</c> (Gemini's <c>inlineData</c>), <c>b64_json</c> and
/// <c>base64</c>.
/// JSON escapes inside base64 (<c>\/</c>, <c>\u002F</c>, escaped line breaks) are handled.
/// </remarks>
internal sealed class ResponseScanner : IDisposable
{
    public const string PlaceholderPrefix = "nb-image-ref:";

    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create("\"\\;"u8);
    private static readonly SearchValues<byte> Base64Alphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);
    private static readonly SearchValues<byte> Base64AlphabetOrBackslash = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\\"u8);
    private static readonly SearchValues<byte> MediaTypeForbidden = SearchValues.Create(" \"()<>"u8);
    private static readonly byte[] PlaceholderPrefixUtf8 = Encoding.ASCII.GetBytes(PlaceholderPrefix);
    private static readonly byte[] Base64Marker = ";base64,"u8.ToArray();

    private readonly PooledBufferWriter _skeleton = new(16 * 1024);
    private readonly ImageSink _images;
    private readonly int _maxSkeletonBytes;
    private Mode _mode;
    private int _stringStart;
    private int _markerMatched;
    private int _unicodeDigits;
    private int _unicodeValue;

    public ResponseScanner(long maxImageBytes, long? contentLength, int maxSkeletonBytes = OptionsDefaults.MaxSkeletonBytes)
    {
        _images = new ImageSink(maxImageBytes, contentLength);
        _maxSkeletonBytes = maxSkeletonBytes;
    }

    private enum Mode
    {
        Outside,
        InString,
        InStringEscape,
        InBase64,
        InBase64Escape,
        InBase64Unicode,
    }

    /// <summary>Gets the body without its images.</summary>
    public ReadOnlyMemory<byte> Skeleton => _skeleton.WrittenMemory;

    /// <summary>Gets the images, indexed by their placeholder numbers.</summary>
    public IReadOnlyList<DecodedImage> Images => _images.Images;

    /// <summary>Gets a value indicating whether the body ended inside a string (it was cut).</summary>
    public bool EndedInsideString => _mode != Mode.Outside;

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        var i = 0;
        while (i < chunk.Length)
        {
            i += _mode switch
            {
                Mode.Outside => ScanOutside(chunk[i..]),
                Mode.InString => ScanString(chunk[i..]),
                Mode.InStringEscape => TakeStringEscape(chunk[i]),
                Mode.InBase64 => ScanBase64(chunk[i..]),
                Mode.InBase64Escape => TakeBase64Escape(chunk[i]),
                _ => TakeBase64Unicode(chunk[i]),
            };
        }
    }

    /// <summary>Ends the body; an image still open (a cut body) is closed as it is.</summary>
    public void Complete()
    {
        if (_mode is Mode.InBase64 or Mode.InBase64Escape or Mode.InBase64Unicode)
        {
            _images.Invalidate();
            _images.End();
        }
    }

    public void Dispose()
    {
        _skeleton.Dispose();
        _images.Dispose();
    }

    private int ScanOutside(ReadOnlySpan<byte> rest)
    {
        var quote = rest.IndexOf((byte)'"');
        if (quote < 0)
        {
            Write(rest);
            return rest.Length;
        }

        Write(rest[..(quote + 1)]);
        _stringStart = _skeleton.WrittenCount;
        _markerMatched = 0;
        if (IsBase64Key())
        {
            BeginImage(declaredMediaType: null);
        }
        else
        {
            _mode = Mode.InString;
        }

        return quote + 1;
    }

    private int ScanString(ReadOnlySpan<byte> rest)
    {
        if (_markerMatched > 0)
        {
            // Matching ";base64," one byte at a time: it may straddle two reads.
            var b = rest[0];
            if (b == Base64Marker[_markerMatched])
            {
                Write(b);
                if (++_markerMatched == Base64Marker.Length)
                {
                    _markerMatched = 0;
                    TryBeginDataUrl();
                }

                return 1;
            }

            _markerMatched = 0; // not the marker: look at this byte again as an ordinary one
        }

        var special = rest.IndexOfAny(StringSpecials);
        if (special < 0)
        {
            Write(rest);
            return rest.Length;
        }

        Write(rest[..(special + 1)]);
        switch (rest[special])
        {
            case (byte)'"':
                _mode = Mode.Outside;
                break;
            case (byte)'\\':
                _mode = Mode.InStringEscape;
                break;
            default:
                _markerMatched = 1;
                break;
        }

        return special + 1;
    }

    private int TakeStringEscape(byte b)
    {
        Write(b);
        _mode = Mode.InString;
        return 1;
    }

    private int ScanBase64(ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOfAnyExcept(Base64Alphabet);
        if (end < 0)
        {
            _images.Append(rest);
            return rest.Length;
        }

        _images.Append(rest[..end]);
        if (rest[end] == (byte)'\\' && end + 1 < rest.Length && rest[end + 1] == (byte)'/')
        {
            // JSON-escaped slashes (\/) cut the base64 every 64 characters or so: unescape the whole run in bulk
            // rather than through the escape states once per slash.
            var runEnd = rest[end..].IndexOfAnyExcept(Base64AlphabetOrBackslash);
            end += _images.AppendEscaped(runEnd < 0 ? rest[end..] : rest.Slice(end, runEnd));
            if (end == rest.Length)
            {
                return end;
            }
        }

        switch (rest[end])
        {
            case (byte)'=':
                _images.AppendPadding();
                return end + 1;
            case (byte)'\\':
                _mode = Mode.InBase64Escape;
                return end + 1;
            case (byte)'\r' or (byte)'\n':
                return end + 1;
            default:
                // The image ends here; the terminator (a quote, a ')' …) belongs to the string.
                EndImage();
                return end;
        }
    }

    private int TakeBase64Escape(byte b)
    {
        switch (b)
        {
            case (byte)'/':
                _images.Append("/"u8);
                _mode = Mode.InBase64;
                break;
            case (byte)'n' or (byte)'r' or (byte)'t':
                _mode = Mode.InBase64; // an escaped line break inside MIME-style base64
                break;
            case (byte)'u':
                _unicodeDigits = 0;
                _unicodeValue = 0;
                _mode = Mode.InBase64Unicode;
                break;
            default:
                // An escaped quote or backslash ends the image; keep the escape in the string.
                EndImage();
                Write((byte)'\\');
                Write(b);
                break;
        }

        return 1;
    }

    private int TakeBase64Unicode(byte b)
    {
        var digit = HexValue(b);
        if (digit < 0)
        {
            _images.Invalidate();
            EndImage();
            return 0;
        }

        _unicodeValue = (_unicodeValue << 4) | digit;
        if (++_unicodeDigits < 4)
        {
            return 1;
        }

        _mode = Mode.InBase64;
        var c = _unicodeValue;
        if (c < 128 && Base64Alphabet.Contains((byte)c))
        {
            _images.Append([(byte)c]);
        }
        else if (c == '=')
        {
            _images.AppendPadding();
        }
        else if (c is not ('\r' or '\n'))
        {
            EndImage();
            Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\\u{c:X4}")));
        }

        return 1;
    }

    private void BeginImage(string? declaredMediaType)
    {
        var index = _images.Begin(declaredMediaType);
        Span<byte> digits = stackalloc byte[11];
        index.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        Write(PlaceholderPrefixUtf8);
        Write(digits[..length]);
        _mode = Mode.InBase64;
    }

    private void EndImage()
    {
        _images.End();
        _mode = Mode.InString;
    }

    /// <summary>Called with <c>;base64,</c> just written: is it the end of a <c>data:image/…</c> prefix in this string?</summary>
    private void TryBeginDataUrl()
    {
        var written = _skeleton.WrittenSpan;
        var markerStart = written.Length - Base64Marker.Length;
        var text = written[_stringStart..markerStart];
        var data = text.LastIndexOf("data:"u8);
        if (data < 0)
        {
            return;
        }

        var parameters = text[(data + 5)..];
        var semicolon = parameters.IndexOf((byte)';');
        var mediaTypeBytes = semicolon < 0 ? parameters : parameters[..semicolon];
        if (mediaTypeBytes.Length > 100 || mediaTypeBytes.IndexOfAny(MediaTypeForbidden) >= 0)
        {
            return;
        }

        // JSON may escape the slash: data:image\/png or data:image\u002Fpng.
        var mediaType = Encoding.ASCII.GetString(mediaTypeBytes)
            .Replace("\\/", "/", StringComparison.Ordinal)
            .Replace("\\u002F", "/", StringComparison.OrdinalIgnoreCase)
            .ToLowerInvariant();
        if (mediaType.Length > 0 && !mediaType.StartsWith("image/", StringComparison.Ordinal) && mediaType != "application/octet-stream")
        {
            return;
        }

        _skeleton.Truncate(_stringStart + data);
        BeginImage(mediaType.Length == 0 ? null : mediaType);
    }

    /// <summary>Is the string just opened the value of a <c>"data"</c>, <c>"b64_json"</c> or <c>"base64"</c> key?</summary>
    private bool IsBase64Key()
    {
        var before = _skeleton.WrittenSpan[..(_stringStart - 1)].TrimEnd(" \t\r\n"u8);
        if (before.IsEmpty || before[^1] != (byte)':')
        {
            return false;
        }

        before = before[..^1].TrimEnd(" \t\r\n"u8);
        return before.EndsWith("\"data\""u8) || before.EndsWith("\"b64_json\""u8) || before.EndsWith("\"base64\""u8);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (_skeleton.WrittenCount + bytes.Length > _maxSkeletonBytes)
        {
            throw new ResponseTooLargeException($"The response's text and structure exceed {_maxSkeletonBytes} bytes.");
        }

        _skeleton.Write(bytes);
    }

    private void Write(byte b) => Write([b]);

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
