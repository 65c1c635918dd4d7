namespace NanoBananaResilience;

/// <summary>A snapshot of a running batch, reported through <see cref="BatchOptions.Progress"/>.</summary>
public sealed class BatchProgress
{
    /// <summary>Gets the number of items that produced an image in this run.</summary>
    public int Succeeded { get; init; }

    /// <summary>Gets the number of items that failed in this run.</summary>
    public int Failed { get; init; }

    /// <summary>Gets the number of items skipped because an earlier run had saved them.</summary>
    public int Skipped { get; init; }

    /// <summary>Gets the number of items being generated now.</summary>
    public int InFlight { get; init; }

    /// <summary>Gets the number of items in the batch, when the input's size is known up front.</summary>
    public int? Total { get; init; }

    /// <summary>Gets the number of items finished one way or another.</summary>
    public int Done => Succeeded + Failed + Skipped;

    /// <summary>Gets how many items may be in flight now (lower than the maximum after overload, with adaptive concurrency).</summary>
    public int ConcurrencyLimit { get; init; }

    /// <summary>Gets the estimated cost of this run so far in US dollars (items whose cost is unknown count as zero).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets the time since the run started, on the batch's clock.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the estimated time to finish, from this run's pace; <see langword="null"/> until known.</summary>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>Gets the end of the peak window the batch is waiting for, while it holds items back; otherwise <see langword="null"/>.</summary>
    public DateTimeOffset? WaitingUntil { get; init; }
}
