using System.Numerics;
using System.Runtime.Intrinsics;

namespace NanoBananaResilience;

/// <summary>
/// Copies base64 text in which JSON escaped every slash (<c>\/</c>, one character in 64 on average) and
/// drops the backslashes, 32 bytes at a time: a block without a backslash is copied whole, a block with
/// <c>\/</c> escapes as one store plus one overlapping store per escape. Anything else goes byte by byte.
/// </summary>
internal static class EscapedBase64
{
    private const int Block = 32;

    /// <summary>
    /// Unescapes <paramref name="source"/> (base64 characters and backslashes only) into <paramref name="destination"/>
    /// until the source ends, the destination is full, or a backslash is not followed by <c>/</c> in this piece
    /// (another escape, or one cut by the end of the piece), which is left unconsumed.
    /// </summary>
    public static void Unescape(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed, out int written)
    {
        var i = 0;
        var o = 0;
        while (i < source.Length)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                var backslash = Vector256.Create((byte)'\\');

                // Room for a whole block read one byte past a backslash, and for the second, shifted store.
                while (source.Length - i >= 2 * Block && destination.Length - o >= 2 * Block)
                {
                    var block = Vector256.Create(source.Slice(i, Block));
                    var mask = Vector256.Equals(block, backslash).ExtractMostSignificantBits();
                    if (mask == 0)
                    {
                        block.CopyTo(destination[o..]);
                        i += Block;
                        o += Block;
                        continue;
                    }

                    // A backslash in the last place waits for the next block, which holds its slash.
                    var length = Block;
                    if ((mask >> (Block - 1)) != 0)
                    {
                        mask &= (1u << (Block - 1)) - 1;
                        length--;
                    }

                    // The block, then for each \/ the bytes after the backslash written over its place.
                    block.CopyTo(destination[o..]);
                    var removed = 0;
                    while (mask != 0)
                    {
                        var at = BitOperations.TrailingZeroCount(mask);
                        if (source[i + at + 1] != (byte)'/')
                        {
                            break;
                        }

                        Vector256.Create(source.Slice(i + at + 1, Block)).CopyTo(destination[(o + at - removed)..]);
                        removed++;
                        mask &= mask - 1;
                    }

                    if (mask != 0)
                    {
                        break; // an escape other than \/: byte by byte
                    }

                    i += length;
                    o += length - removed;
                }
            }

            // One block byte by byte (or the tail).
            var stop = Math.Min(source.Length, i + Block);
            while (i < stop)
            {
                if (o == destination.Length)
                {
                    consumed = i;
                    written = o;
                    return;
                }

                var b = source[i];
                if (b != (byte)'\\')
                {
                    destination[o++] = b;
                    i++;
                }
                else if (i + 1 < source.Length && source[i + 1] == (byte)'/')
                {
                    destination[o++] = (byte)'/';
                    i += 2;
                }
                else
                {
                    consumed = i;
                    written = o;
                    return;
                }
            }
        }

        consumed = i;
        written = o;
    }
}
