using System.Buffers;
using System.Runtime.CompilerServices;

namespace NanoBananaResilience;

/// <summary>
/// Reads a response body in 64 KiB pieces through the <see cref="ResponseScanner"/>: success bodies up to the
/// image cap, error bodies up to a small bound (the rest is left unread; disposing the response releases it).
/// </summary>
internal static class BodyReader
{
    private const int ReadSize = 64 * 1024;

    /// <remarks>Pooled, so a body that arrives asynchronously does not allocate its state machine anew.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ParsedBody> ReadAsync(HttpContent content, bool isSuccess, long maxImageBytes, CancellationToken cancellationToken)
    {
        var length = content.Headers.ContentLength;
        var skeletonLimit = isSuccess ? OptionsDefaults.MaxSkeletonBytes : OptionsDefaults.MaxErrorBodyBytes;
        if (isSuccess && length > (maxImageBytes / 3 * 4) + skeletonLimit)
        {
            throw new ResponseTooLargeException($"The response declares {length} bytes, more than the image cap of {maxImageBytes} bytes allows (NanoBanana:MaxImageBytes).");
        }

        var isEventStream = string.Equals(content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
        using var scanner = new ResponseScanner(maxImageBytes, isEventStream ? null : length, skeletonLimit);
        var framer = isEventStream ? new SseFramer(scanner) : null;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                long total = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (!isSuccess && total + read > skeletonLimit)
                    {
                        Feed(scanner, framer, buffer.AsSpan(0, (int)(skeletonLimit - total)));
                        break;
                    }

                    total += read;
                    Feed(scanner, framer, buffer.AsSpan(0, read));
                }
            }

            framer?.Complete();
            scanner.Complete();
            return BodyInterpreter.Interpret(scanner.Skeleton, scanner.Images);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Feed(ResponseScanner scanner, SseFramer? framer, ReadOnlySpan<byte> bytes)
    {
        if (framer is null)
        {
            scanner.Feed(bytes);
        }
        else
        {
            framer.Feed(bytes);
        }
    }
}
