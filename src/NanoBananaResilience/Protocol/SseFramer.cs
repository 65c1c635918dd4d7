namespace NanoBananaResilience;

/// <summary>
/// Some gateways stream even when asked not to. This turns a <c>text/event-stream</c> body into one JSON array
/// of its events' <c>data:</c> payloads, fed to the scanner as it arrives, so a streamed answer is read like any other
/// (its base64 image, which arrives inside one data line, still streams into its buffer). As the event-stream format
/// says, the data lines of one event (no blank line between them) are one payload joined by line feeds — whitespace
/// to JSON — and lines may end in CR LF, LF or CR alone.
/// </summary>
internal sealed class SseFramer(ResponseScanner scanner)
{
    private static readonly byte[] Done = "[DONE]"u8.ToArray();
    private readonly byte[] _field = new byte[8];
    private readonly byte[] _head = new byte[6];
    private State _state;
    private int _fieldLength;
    private int _headLength;
    private bool _wroteAny;
    private bool _inEvent;
    private bool _afterCr;

    private enum State
    {
        LineStart,
        Field,
        PayloadStart,
        PayloadHead,
        Payload,
        Skip,
    }

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        var i = 0;
        while (i < chunk.Length)
        {
            var b = chunk[i];
            switch (_state)
            {
                case State.LineStart:
                    if (b is not ((byte)'\n' or (byte)'\r'))
                    {
                        _afterCr = false;
                        _state = b == (byte)':' ? State.Skip : State.Field;
                        _fieldLength = 0;
                        break;
                    }

                    i++;
                    if (b == (byte)'\n' && _afterCr)
                    {
                        _afterCr = false; // the LF of a CR LF that ended the line before
                    }
                    else
                    {
                        _afterCr = b == (byte)'\r';
                        _inEvent = false; // a blank line ends the event
                    }

                    break;
                case State.Field:
                    i++;
                    if (b == (byte)':')
                    {
                        _state = _field.AsSpan(0, _fieldLength).SequenceEqual("data"u8) ? State.PayloadStart : State.Skip;
                    }
                    else if (b is (byte)'\n' or (byte)'\r')
                    {
                        EndLine(b);
                    }
                    else if (_fieldLength < _field.Length)
                    {
                        _field[_fieldLength++] = b;
                    }

                    break;
                case State.PayloadStart:
                    if (b == (byte)' ')
                    {
                        i++;
                    }

                    _headLength = 0;
                    _state = State.PayloadHead;
                    break;
                case State.PayloadHead:
                    // Hold the first bytes back until we know the payload is not the closing [DONE].
                    if (b is (byte)'\n' or (byte)'\r' || _headLength == _head.Length)
                    {
                        FlushHead();
                        _state = State.Payload;
                        break;
                    }

                    _head[_headLength++] = b;
                    i++;
                    break;
                case State.Payload:
                    var end = chunk[i..].IndexOfAny((byte)'\n', (byte)'\r');
                    if (end < 0)
                    {
                        scanner.Feed(chunk[i..]);
                        i = chunk.Length;
                    }
                    else
                    {
                        scanner.Feed(chunk.Slice(i, end));
                        i += end;
                        EndLine(chunk[i++]);
                    }

                    break;
                default:
                    i++;
                    if (b is (byte)'\n' or (byte)'\r')
                    {
                        EndLine(b);
                    }

                    break;
            }
        }
    }

    public void Complete()
    {
        if (_state == State.PayloadHead)
        {
            FlushHead();
        }

        scanner.Feed(_wroteAny ? "]"u8 : "[]"u8);
    }

    /// <summary>A line ended (its terminator consumed); a CR may be the first half of a CR LF.</summary>
    private void EndLine(byte terminator)
    {
        _afterCr = terminator == (byte)'\r';
        _state = State.LineStart;
    }

    private void FlushHead()
    {
        var head = _head.AsSpan(0, _headLength);
        _headLength = 0;
        if (_inEvent)
        {
            // A further data line of the same event continues its payload.
            scanner.Feed("\n"u8);
            scanner.Feed(head);
            return;
        }

        if (head.IsEmpty || head.SequenceEqual(Done))
        {
            return;
        }

        scanner.Feed(_wroteAny ? ","u8 : "["u8);
        _wroteAny = true;
        _inEvent = true;
        scanner.Feed(head);
    }
}
