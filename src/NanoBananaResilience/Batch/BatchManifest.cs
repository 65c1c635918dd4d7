using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NanoBananaResilience;

/// <summary>
/// The output folder's record of a batch: one JSON line per finished item (<c>done</c> or <c>failed</c>), appended
/// after the image is in place, so a line saying <c>done</c> always points at a whole image.
/// </summary>
/// <remarks>
/// A crash can leave three things behind, each handled on open: a temporary file from an interrupted write (deleted;
/// it was never counted), a torn last line (ignored, and the next line starts on a fresh one), and an image saved
/// just before the crash whose line never got written (recognised by its key-named file and counted as done, since
/// it was paid for).
/// </remarks>
internal sealed class BatchManifest : IAsyncDisposable
{
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    private readonly string _directory;
    private readonly FileStream _lock;
    private readonly FileStream _stream;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, ManifestEntry> _done;
    private readonly Dictionary<string, string> _unrecorded;

    private BatchManifest(string directory, FileStream @lock, FileStream stream, TimeProvider time, Dictionary<string, ManifestEntry> done, Dictionary<string, string> unrecorded)
    {
        _directory = directory;
        _lock = @lock;
        _stream = stream;
        _time = time;
        _done = done;
        _unrecorded = unrecorded;
    }

    public static async Task<BatchManifest> OpenAsync(string directory, TimeProvider time, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(directory);
        Directory.CreateDirectory(full);
        var path = Path.Combine(full, BatchDefaults.ManifestFileName);
        var @lock = Lock(full);
        try
        {
            return await OpenLockedAsync(full, path, @lock, time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await @lock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<BatchManifest> OpenLockedAsync(string full, string path, FileStream @lock, TimeProvider time, CancellationToken cancellationToken)
    {
        var done = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
            {
                if (Parse(line) is not { } entry)
                {
                    continue;
                }

                if (entry.State == ManifestEntry.Done && entry.File is not null && HasBytes(Path.Combine(full, entry.File)))
                {
                    done[entry.Key] = entry;
                }
                else if (entry.State != ManifestEntry.Done)
                {
                    _ = done.Remove(entry.Key); // the latest line wins
                }
            }
        }

        var unrecorded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(full))
        {
            var name = Path.GetFileName(file);
            if (IsInterruptedWrite(name))
            {
                File.Delete(file); // an interrupted atomic write: never renamed, never counted
            }
            else if (name is not (BatchDefaults.ManifestFileName or BatchDefaults.LockFileName) && HasBytes(file))
            {
                unrecorded.TryAdd(Path.GetFileNameWithoutExtension(name), name);
            }
        }

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        var manifest = new BatchManifest(full, @lock, stream, time, done, unrecorded);
        if (stream.Position > 0 && !await EndsWithNewLineAsync(path, cancellationToken).ConfigureAwait(false))
        {
            await stream.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }

        return manifest;
    }

    /// <summary>Returns the full path of a file in the output folder.</summary>
    public string PathOf(string file) => Path.Combine(_directory, file);

    /// <summary>Returns the earlier run's record of a finished item, or <see langword="null"/> when it must run.</summary>
    public async Task<ManifestEntry?> FindDoneAsync(string key, int index)
    {
        if (_done.TryGetValue(key, out var entry))
        {
            return entry;
        }

        if (!_unrecorded.TryGetValue(key, out var file))
        {
            return null;
        }

        // Saved, then the process died before the line was written: the image is whole (the rename is atomic).
        entry = new ManifestEntry(key, index, ManifestEntry.Done, file, null, null, null, null, _time.GetUtcNow(), null);
        await AppendAsync(entry).ConfigureAwait(false);
        _done[key] = entry;
        return entry;
    }

    /// <summary>Saves the image atomically, then records the item as done; returns the file's full path.</summary>
    /// <remarks>Never cancelled: the image is paid for, so it is kept even when the run is being stopped.</remarks>
    public async Task<string> SaveAsync(string key, int index, string prompt, NanoBananaResult result, BatchScheduleDecision decision)
    {
        var file = key + result.Image.FileExtension;
        var path = Path.Combine(_directory, file);
        await result.Image.SaveAsync(path, CancellationToken.None).ConfigureAwait(false);
        await AppendAsync(new ManifestEntry(key, index, ManifestEntry.Done, file, result.Model, result.EstimatedCostUsd, null, decision.ToString(), _time.GetUtcNow(), prompt)).ConfigureAwait(false);
        return path;
    }

    /// <summary>Records a failed item, for the reader; a rerun tries it again.</summary>
    public Task RecordFailureAsync(string key, int index, string prompt, string outcome, BatchScheduleDecision decision)
        => AppendAsync(new ManifestEntry(key, index, ManifestEntry.Failed, null, null, null, outcome, decision.ToString(), _time.GetUtcNow(), prompt));

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _lock.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    /// <summary>
    /// Takes the folder for this run: two runs writing one folder would each buy the images the other is buying.
    /// An exclusive open is honoured between processes on every platform; the file goes when the run ends.
    /// </summary>
    private static FileStream Lock(string folder)
    {
        var path = Path.Combine(folder, BatchDefaults.LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e)
        {
            throw new IOException($"Another batch is writing to '{folder}' (it holds {BatchDefaults.LockFileName}); run one batch per folder at a time.", e);
        }
    }

    /// <summary>
    /// Whether a file is the temporary file of an image write (<see cref="GeneratedImage.SaveAsync"/> names it
    /// <c>NAME.tmp-</c> and 32 hex digits): the folder may be the user's, holding files that are not the batch's to delete.
    /// </summary>
    private static bool IsInterruptedWrite(string name)
    {
        var at = name.LastIndexOf(".tmp-", StringComparison.Ordinal);
        return at > 0 && name.Length - at - 5 == 32 && name.AsSpan(at + 5).IndexOfAnyExcept(LowerHex) < 0;
    }

    /// <summary>
    /// Whether a saved image is there to skip. The rename is atomic for a process that dies, but a machine that loses
    /// power can keep the renamed name without the bytes written just before it: an empty file is no image.
    /// </summary>
    private static bool HasBytes(string path) => new FileInfo(path) is { Exists: true, Length: > 0 };

    private static ManifestEntry? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(line, BatchJsonContext.Default.ManifestEntry) is { Key: not null } entry ? entry : null;
        }
        catch (JsonException)
        {
            return null; // a line torn by a crash
        }
    }

    private static async Task<bool> EndsWithNewLineAsync(string path, CancellationToken cancellationToken)
    {
        var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous);
        await using (reader.ConfigureAwait(false))
        {
            reader.Seek(-1, SeekOrigin.End);
            var last = new byte[1];
            return await reader.ReadAsync(last, cancellationToken).ConfigureAwait(false) == 1 && last[0] == (byte)'\n';
        }
    }

    private async Task AppendAsync(ManifestEntry entry)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(entry, BatchJsonContext.Default.ManifestEntry);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(line).ConfigureAwait(false);
            _stream.WriteByte((byte)'\n');
            await _stream.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _ = _gate.Release();
        }
    }
}

/// <summary>One line of the manifest; the prompt is there so that a person can tell which file is which.</summary>
internal sealed record ManifestEntry(
    string Key,
    int Index,
    string State,
    string? File,
    string? Model,
    decimal? CostUsd,
    string? Outcome,
    string? Decision,
    DateTimeOffset At,
    string? Prompt)
{
    public const string Done = "done";
    public const string Failed = "failed";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ManifestEntry))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;
