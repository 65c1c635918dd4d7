using System.Buffers.Text;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NanoBananaResilience;

/// <summary>
/// Writes a request body with <see cref="Utf8JsonWriter"/> straight into a pooled buffer: no reflection, no
/// intermediate strings. Shared by the body writers of every protocol.
/// </summary>
internal static class JsonRequestBody
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Prompts in any language go out as UTF-8, not as \u escapes; the JSON stays valid either way.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>One writer per thread, pointed at each attempt's buffer in turn: a writer per attempt was a needless allocation.</summary>
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Runs <paramref name="write"/> on a writer over a new pooled buffer sized for <paramref name="request"/>.</summary>
    /// <remarks>The state goes in as an argument, so a static lambda writes it without a closure per attempt.</remarks>
    public static PooledBufferWriter Write<TState>(NanoBananaRequest request, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new PooledBufferWriter(EstimateSize(request));
        var writer = t_writer ??= new Utf8JsonWriter(Stream.Null, WriterOptions);
        try
        {
            writer.Reset(buffer);
            write(writer, state);
            writer.Flush();
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        finally
        {
            // Let go of the buffer (and forget any half-written state after a failure).
            writer.Reset(Stream.Null);
        }
    }

    private static int EstimateSize(NanoBananaRequest request)
    {
        var size = 256 + Encoding.UTF8.GetMaxByteCount(request.Prompt.Length);
        foreach (var image in request.ReferenceImages)
        {
            size += 96 + Base64.GetMaxEncodedToUtf8Length(image.Data.Length);
        }

        return size;
    }
}
