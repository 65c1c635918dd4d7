using System.Threading.RateLimiting;

namespace NanoBananaResilience;

/// <summary>How a batch runs: concurrency, rate limit, scheduling, where images and the manifest go, and progress.</summary>
public sealed class BatchOptions
{
    /// <summary>Gets or sets the most items in flight at once. The default value is 4.</summary>
    public int MaxConcurrency { get; set; } = BatchDefaults.MaxConcurrency;

    /// <summary>Gets or sets the fewest items in flight that adaptive concurrency may fall to. The default value is 1.</summary>
    public int MinConcurrency { get; set; } = 1;

    /// <summary>
    /// Gets or sets a value indicating whether concurrency adapts (AIMD): halved when items meet overload (503, 429,
    /// timeouts), grown back by one per round of clean items. The default value is <see langword="true"/>.
    /// </summary>
    public bool AdaptiveConcurrency { get; set; } = true;

    /// <summary>
    /// Gets or sets a limiter every item acquires one permit from before it is sent (it limits items, not the retries
    /// inside one item). The batch does not dispose it. The default value is <see langword="null"/>: no rate limit.
    /// </summary>
    public RateLimiter? RateLimiter { get; set; }

    /// <summary>
    /// Gets or sets how many more times an item is called when every model failed for a reason that passes with time
    /// (<see cref="NanoBananaException.IsTransient"/>). The item keeps its slot while it waits, so an outage slows the
    /// batch down instead of failing it through. The default value is 2.
    /// </summary>
    public int ItemRetries { get; set; } = BatchDefaults.ItemRetries;

    /// <summary>
    /// Gets or sets the wait before an item's next call when the failure gave no hint; it doubles with each call, and
    /// any wait is kept between 1 second and 15 minutes. The default value is one minute.
    /// </summary>
    public TimeSpan ItemRetryDelay { get; set; } = BatchDefaults.ItemRetryDelay;

    /// <summary>Gets or sets when items are sent. The default value is <see cref="BatchScheduling.Immediate"/>.</summary>
    public BatchScheduling Scheduling { get; set; } = BatchScheduling.Immediate;

    /// <summary>
    /// Gets or sets when the batch must be finished; required by <see cref="BatchScheduling.PreferOffPeak"/>, which waits
    /// for the end of the client's peak window (<see cref="INanoBananaClient.Schedule"/>) only when that end plus <see cref="OffPeakMargin"/> is no later than this.
    /// The default value is <see langword="null"/>.
    /// </summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>
    /// Gets or sets how much time before the deadline the work held back for off-peak needs. The default value is one hour.
    /// </summary>
    public TimeSpan OffPeakMargin { get; set; } = BatchDefaults.OffPeakMargin;

    /// <summary>
    /// Gets or sets the model that items sent off-peak use instead of the chain (requests that name a model keep it).
    /// The default value is <see langword="null"/>: the chain, whose off-peak order already puts Nano Banana 2 first and
    /// still falls back when it is down.
    /// </summary>
    public string? OffPeakModel { get; set; }

    /// <summary>
    /// Gets or sets the folder that receives the images and the manifest (<c>manifest.jsonl</c>) that makes the run
    /// resumable. The default value is <see langword="null"/>: nothing is written, results carry the images.
    /// </summary>
    public string? OutputDirectory { get; set; }

    /// <summary>Gets or sets where progress goes, after every item. The default value is <see langword="null"/>.</summary>
    public IProgress<BatchProgress>? Progress { get; set; }

    /// <summary>Throws a clear exception naming the first invalid setting.</summary>
    internal void Validate()
    {
        if (MaxConcurrency is < 1 or > BatchDefaults.ConcurrencyCeiling)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, $"MaxConcurrency must be between 1 and {BatchDefaults.ConcurrencyCeiling}.");
        }

        if (MinConcurrency < 1 || MinConcurrency > MaxConcurrency)
        {
            throw new ArgumentOutOfRangeException(nameof(MinConcurrency), MinConcurrency, $"MinConcurrency must be between 1 and MaxConcurrency ({MaxConcurrency}).");
        }

        if (ItemRetries is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(ItemRetries), ItemRetries, "ItemRetries must be between 0 and 100.");
        }

        if (ItemRetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ItemRetryDelay), ItemRetryDelay, "ItemRetryDelay must be positive.");
        }

        if (!Enum.IsDefined(Scheduling))
        {
            throw new ArgumentOutOfRangeException(nameof(Scheduling), Scheduling, "Scheduling is not a known value.");
        }

        if (Scheduling == BatchScheduling.PreferOffPeak && Deadline is null)
        {
            throw new ArgumentException("Scheduling PreferOffPeak needs a Deadline, so that the scheduler knows how long items may wait.", nameof(Deadline));
        }

        if (OffPeakMargin < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(OffPeakMargin), OffPeakMargin, "OffPeakMargin must not be negative.");
        }

        if (OffPeakModel is not null && string.IsNullOrWhiteSpace(OffPeakModel))
        {
            throw new ArgumentException("OffPeakModel must be null (the chain) or a model id, not white space.", nameof(OffPeakModel));
        }

        if (OutputDirectory is not null && string.IsNullOrWhiteSpace(OutputDirectory))
        {
            throw new ArgumentException("OutputDirectory must be null (keep images in memory) or a folder, not white space.", nameof(OutputDirectory));
        }
    }
}
