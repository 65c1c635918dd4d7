namespace NanoBananaResilience;

/// <summary>The outcome of one item of a batch: an image, a typed failure, or a skip on resume.</summary>
public sealed class BatchItemResult
{
    /// <summary>Gets the item's position in the input, from 0.</summary>
    public required int Index { get; init; }

    /// <summary>
    /// Gets the item's stable key: a hash of the request, with <c>-2</c>, <c>-3</c> … for repeats of the same request. It
    /// names the image file and the manifest line, so a rerun recognises the item wherever it now stands in the input.
    /// </summary>
    public required string Key { get; init; }

    /// <summary>Gets the request as given (before any off-peak model was applied); <see langword="null"/> only when the input held null here.</summary>
    public required NanoBananaRequest? Request { get; init; }

    /// <summary>Gets how the item ended.</summary>
    public required BatchItemStatus Status { get; init; }

    /// <summary>Gets what the scheduler decided for the item.</summary>
    public required BatchScheduleDecision Decision { get; init; }

    /// <summary>Gets the client's answer, for an item that succeeded in this run; otherwise <see langword="null"/>.</summary>
    public NanoBananaResult? Result { get; init; }

    /// <summary>
    /// Gets why the item failed: usually a <see cref="NanoBananaException"/>; an <see cref="ArgumentException"/> for a
    /// request the client refused; an <see cref="IOException"/> when the image could not be saved.
    /// </summary>
    public Exception? Error { get; init; }

    /// <summary>Gets the full path of the saved image, when the batch has an output directory and the item has an image.</summary>
    public string? FilePath { get; init; }

    /// <summary>Gets the model that served the image (for a skipped item, the one recorded by the earlier run, if known).</summary>
    public string? Model { get; init; }

    /// <summary>Gets the estimated cost of this item in this run in US dollars; zero for a skipped item, <see langword="null"/> when unknown.</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>Gets every attempt the item made in this run, over all its calls (empty for a skipped item).</summary>
    public IReadOnlyList<AttemptRecord> Attempts { get; init; } = [];

    /// <inheritdoc />
    public override string ToString()
        => $"#{Index} {Key}: {Status} ({Decision}){(Model is null ? string.Empty : " from " + Model)}{(Error is null ? string.Empty : ": " + Error.Message)}";
}
