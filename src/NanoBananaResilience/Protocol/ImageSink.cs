using System.Buffers;
using System.Buffers.Text;

namespace NanoBananaResilience;

/// <summary>
/// Receives base64 text in pieces as it streams past and decodes it straight into the image's final memory.
/// When the body's length is known, one array sized for it holds every image of the response (each image is a
/// slice), so the image is allocated once and never copied. When it is not (chunked transfer), the image is
/// decoded into pooled 1 MiB segments and copied once, at its end, into an array of its exact size: allocated
/// once, but held twice for the moment of that copy.
/// </summary>
/// <remarks>
/// Short runs of base64 (JSON-escaped <c>\/</c> cuts the text every 64 characters or so) are gathered in a small
/// pooled staging buffer and decoded in blocks, because the vectorised decoder only pays off on long inputs.
/// </remarks>
internal sealed class ImageSink : IDisposable
{
    /// <summary>Base64 characters gathered before decoding; a multiple of 4.</summary>
    private const int StagingSize = 8 * 1024;

    /// <summary>A run at least this long is decoded where it lies, without staging.</summary>
    private const int DirectRun = 512;

    /// <summary>The bytes used of each 1 MiB segment: a multiple of 3, so every non-final block fills segments exactly.</summary>
    private const int SegmentBytes = 349_525 * 3;

    private readonly long _maxImageBytes;
    private readonly long? _contentLength;
    private readonly List<DecodedImage> _images = [];
    private readonly List<byte[]> _segments = [];
    private byte[]? _staging;
    private int _staged;
    private byte[] _buffer = [];
    private int _imageStart;
    private int _position;
    private int _segmentFill;
    private long _total;
    private bool _padded;
    private bool _invalid;
    private string? _declaredMediaType;

    public ImageSink(long maxImageBytes, long? contentLength)
    {
        _maxImageBytes = maxImageBytes;
        _contentLength = contentLength;
    }

    public IReadOnlyList<DecodedImage> Images => _images;

    /// <summary>Starts the next image and returns its index (used as the placeholder in the skeleton).</summary>
    public int Begin(string? declaredMediaType)
    {
        _declaredMediaType = declaredMediaType;
        _imageStart = _position;
        _staging ??= ArrayPool<byte>.Shared.Rent(StagingSize);
        _staged = 0;
        _padded = false;
        _invalid = false;
        return _images.Count;
    }

    /// <summary>Decodes a run of base64 alphabet characters (no padding, no escapes).</summary>
    public void Append(ReadOnlySpan<byte> base64)
    {
        if (base64.Length < DirectRun && _staged + base64.Length < StagingSize && !_padded)
        {
            // A short run (between two escapes) only joins the staged text.
            base64.CopyTo(_staging.AsSpan(_staged));
            _staged += base64.Length;
            return;
        }

        if (_padded && !base64.IsEmpty)
        {
            _invalid = true; // data after '=' padding
        }

        while (!_invalid && !base64.IsEmpty)
        {
            if (base64.Length >= DirectRun)
            {
                // The usual case, a long run: complete the staged quantum, then decode straight from the body.
                var top = (4 - (_staged & 3)) & 3;
                Stage(base64[..top]);
                base64 = base64[top..];
                DecodeStaged(isFinalBlock: false);
                var whole = base64.Length & ~3;
                Decode(base64[..whole], isFinalBlock: false);
                base64 = base64[whole..];
            }

            var take = Math.Min(base64.Length, StagingSize - _staged);
            Stage(base64[..take]);
            base64 = base64[take..];
            if (_staged == StagingSize)
            {
                DecodeStaged(isFinalBlock: false);
            }
        }
    }

    /// <summary>
    /// Decodes base64 in which slashes are JSON-escaped (<c>\/</c>), starting at such an escape. Returns how much
    /// was consumed: it stops before any other backslash (left to the scanner's escape states) and at the end.
    /// </summary>
    public int AppendEscaped(ReadOnlySpan<byte> text)
    {
        if (_padded && !text.IsEmpty)
        {
            _invalid = true; // data after '=' padding
        }

        var total = 0;
        while (true)
        {
            if (StagingSize - _staged < 64)
            {
                DecodeStaged(isFinalBlock: false);
            }

            EscapedBase64.Unescape(text[total..], _staging.AsSpan(_staged, StagingSize - _staged), out var consumed, out var written);
            _staged += written;
            total += consumed;
            if (consumed == 0 || total == text.Length)
            {
                return total;
            }
        }
    }

    /// <summary>Takes one <c>=</c> of padding.</summary>
    public void AppendPadding()
    {
        if (_invalid)
        {
            return;
        }

        if ((_staged & 3) is 0 or 1)
        {
            _invalid = true;
            return;
        }

        Stage("="u8);
        _padded = true;
    }

    /// <summary>Marks the current image as invalid (an escape that cannot be part of base64).</summary>
    public void Invalidate() => _invalid = true;

    /// <summary>Finishes the current image: decodes what is left and records it.</summary>
    public void End()
    {
        if (!_invalid && _staged > 0)
        {
            if ((_staged & 3) == 1)
            {
                _invalid = true;
            }
            else
            {
                // Unpadded base64 is common in the wild; pad it ourselves.
                while ((_staged & 3) != 0)
                {
                    Stage("="u8);
                }

                DecodeStaged(isFinalBlock: true);
            }
        }

        _staged = 0;
        var data = _invalid ? ReadOnlyMemory<byte>.Empty : _contentLength is null ? JoinSegments() : _buffer.AsMemory(_imageStart, _position - _imageStart);
        ReturnSegments();
        _images.Add(new DecodedImage(_declaredMediaType, data, _invalid));
    }

    public void Dispose()
    {
        ReturnSegments();
        if (_staging is { } staging)
        {
            _staging = null;
            ArrayPool<byte>.Shared.Return(staging);
        }
    }

    private void Stage(ReadOnlySpan<byte> base64)
    {
        base64.CopyTo(_staging.AsSpan(_staged));
        _staged += base64.Length;
    }

    /// <summary>Decodes the whole quanta staged; a final block decodes everything, padding included.</summary>
    private void DecodeStaged(bool isFinalBlock)
    {
        var whole = isFinalBlock ? _staged : _staged & ~3;
        if (whole == 0)
        {
            return;
        }

        Decode(_staging.AsSpan(0, whole), isFinalBlock);
        _staging.AsSpan(whole, _staged - whole).CopyTo(_staging);
        _staged -= whole;
    }

    private void Decode(ReadOnlySpan<byte> base64, bool isFinalBlock)
    {
        if (_total + (base64.Length / 4 * 3) > _maxImageBytes + 3)
        {
            throw new ResponseTooLargeException($"The response's images exceed the cap of {_maxImageBytes} bytes (NanoBanana:MaxImageBytes).");
        }

        while (!_invalid && !base64.IsEmpty)
        {
            var room = Room(base64.Length / 4 * 3);
            var take = Math.Min(base64.Length, room.Length / 3 * 4);
            var status = Base64.DecodeFromUtf8(base64[..take], room, out _, out var written, isFinalBlock && take == base64.Length);
            if (status != OperationStatus.Done)
            {
                _invalid = true;
                return;
            }

            base64 = base64[take..];
            _total += written;
            if (_contentLength is null)
            {
                _segmentFill += written;
            }
            else
            {
                _position += written;
            }
        }
    }

    /// <summary>Free space to decode into: room for all <paramref name="wanted"/> bytes in the buffer, or what is left of the current segment (at least one quantum).</summary>
    private Span<byte> Room(int wanted)
    {
        if (_contentLength is null)
        {
            if (_segments.Count == 0 || _segmentFill == SegmentBytes)
            {
                _segments.Add(ArrayPool<byte>.Shared.Rent(SegmentBytes));
                _segmentFill = 0;
            }

            return _segments[^1].AsSpan(_segmentFill, SegmentBytes - _segmentFill);
        }

        EnsureCapacity(wanted);
        return _buffer.AsSpan(_position);
    }

    private void EnsureCapacity(int more)
    {
        if (_position + more <= _buffer.Length)
        {
            return;
        }

        // Base64 turns 3 bytes into 4 characters: the body's length bounds every image it can hold. Growing past
        // that (a body longer than it said) doubles, moving only the image being decoded.
        long capacity = _buffer.Length == 0 ? (_contentLength!.Value / 4 * 3) + 3 : (long)(_position - _imageStart + more) * 2;
        capacity = Math.Max(capacity, (long)(_position - _imageStart) + more);
        capacity = Math.Min(capacity, _maxImageBytes + 3);
        var next = GC.AllocateUninitializedArray<byte>((int)capacity);
        _buffer.AsSpan(_imageStart, _position - _imageStart).CopyTo(next);
        _position -= _imageStart;
        _imageStart = 0;
        _buffer = next;
    }

    /// <summary>Copies the current image's segments into one array of its exact size.</summary>
    private byte[] JoinSegments()
    {
        var length = _segments.Count == 0 ? 0 : ((_segments.Count - 1) * SegmentBytes) + _segmentFill;
        var image = GC.AllocateUninitializedArray<byte>(length);
        var offset = 0;
        foreach (var segment in _segments)
        {
            var count = Math.Min(SegmentBytes, length - offset);
            segment.AsSpan(0, count).CopyTo(image.AsSpan(offset));
            offset += count;
        }

        return image;
    }

    private void ReturnSegments()
    {
        foreach (var segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
        _segmentFill = 0;
    }
}

/// <summary>One image decoded from a response, before interpretation.</summary>
internal readonly record struct DecodedImage(string? DeclaredMediaType, ReadOnlyMemory<byte> Data, bool Invalid);
