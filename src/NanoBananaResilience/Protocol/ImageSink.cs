using System.Buffers.Text;

namespace NanoBananaResilience;

/// <summary>
/// Receives base64 text in pieces as it streams past and decodes it straight into the image's final buffer.
/// When the body's length is known, one array sized for it holds every image of the response (each image is a
/// slice), so the image is allocated once and never copied. Otherwise the array grows by doubling.
/// </summary>
internal sealed class ImageSink
{
    private const int InitialCapacityWithoutLength = 256 * 1024;
    private readonly long _maxImageBytes;
    private readonly long? _contentLength;
    private readonly List<DecodedImage> _images = [];
    private byte[] _buffer = [];
    private int _imageStart;
    private int _position;
    private long _total;
    private readonly byte[] _carry = new byte[4];
    private int _carryLength;
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
        _carryLength = 0;
        _padded = false;
        _invalid = false;
        return _images.Count;
    }

    /// <summary>Decodes a run of base64 alphabet characters (no padding, no escapes).</summary>
    public void Append(ReadOnlySpan<byte> base64)
    {
        if (_invalid || base64.IsEmpty)
        {
            return;
        }

        if (_padded)
        {
            _invalid = true; // data after '=' padding
            return;
        }

        if (_carryLength > 0)
        {
            var take = Math.Min(4 - _carryLength, base64.Length);
            base64[..take].CopyTo(_carry.AsSpan(_carryLength));
            _carryLength += take;
            base64 = base64[take..];
            if (_carryLength < 4)
            {
                return;
            }

            Decode(_carry, isFinalBlock: false);
            _carryLength = 0;
        }

        var whole = base64.Length & ~3;
        if (whole > 0)
        {
            Decode(base64[..whole], isFinalBlock: false);
        }

        base64[whole..].CopyTo(_carry);
        _carryLength = base64.Length - whole;
    }

    /// <summary>Takes one <c>=</c> of padding.</summary>
    public void AppendPadding()
    {
        if (_invalid)
        {
            return;
        }

        if (_carryLength is 0 or 1 || _carryLength >= 4)
        {
            _invalid = true;
            return;
        }

        _carry[_carryLength++] = (byte)'=';
        _padded = true;
    }

    /// <summary>Marks the current image as invalid (an escape that cannot be part of base64).</summary>
    public void Invalidate() => _invalid = true;

    /// <summary>Finishes the current image: decodes what is left and records it.</summary>
    public void End()
    {
        if (!_invalid && _carryLength > 0)
        {
            if (_carryLength == 1)
            {
                _invalid = true;
            }
            else
            {
                // Unpadded base64 is common in the wild; pad it ourselves.
                while (_carryLength < 4)
                {
                    _carry[_carryLength++] = (byte)'=';
                }

                Decode(_carry, isFinalBlock: true);
            }
        }

        _carryLength = 0;
        var data = _invalid ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(_imageStart, _position - _imageStart);
        _images.Add(new DecodedImage(_declaredMediaType, data, _invalid));
    }

    private void Decode(ReadOnlySpan<byte> base64, bool isFinalBlock)
    {
        var maxBytes = (base64.Length / 4) * 3;
        if (_total + maxBytes > _maxImageBytes + 3)
        {
            throw new ResponseTooLargeException($"The response's images exceed the cap of {_maxImageBytes} bytes (NanoBanana:MaxImageBytes).");
        }

        EnsureCapacity(maxBytes);
        var status = Base64.DecodeFromUtf8(base64, _buffer.AsSpan(_position), out _, out var written, isFinalBlock);
        if (status != System.Buffers.OperationStatus.Done)
        {
            _invalid = true;
            return;
        }

        _position += written;
        _total += written;
    }

    private void EnsureCapacity(int more)
    {
        if (_position + more <= _buffer.Length)
        {
            return;
        }

        long capacity;
        if (_buffer.Length == 0 && _contentLength is { } length)
        {
            // Base64 turns 3 bytes into 4 characters: the body's length bounds every image it can hold.
            capacity = (length / 4 * 3) + 3;
        }
        else
        {
            capacity = Math.Max(InitialCapacityWithoutLength, (long)(_position - _imageStart + more) * 2);
        }

        capacity = Math.Max(capacity, (long)(_position - _imageStart) + more);
        capacity = Math.Min(capacity, _maxImageBytes + 3);
        var next = GC.AllocateUninitializedArray<byte>((int)capacity);

        // Earlier images stay as slices of the old array; only the image being decoded moves.
        _buffer.AsSpan(_imageStart, _position - _imageStart).CopyTo(next);
        _position -= _imageStart;
        _imageStart = 0;
        _buffer = next;
    }
}

/// <summary>One image decoded from a response, before interpretation.</summary>
internal readonly record struct DecodedImage(string? DeclaredMediaType, ReadOnlyMemory<byte> Data, bool Invalid);
