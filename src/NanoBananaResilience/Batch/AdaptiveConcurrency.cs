namespace NanoBananaResilience;

/// <summary>
/// AIMD concurrency: the limit halves when an item meets overload and grows by one per round of clean items, so a
/// peak is met with fewer requests in the air rather than a retry storm.
/// </summary>
/// <remarks>
/// One burst halves the limit once: items carry the epoch they started in, and overload reported by an item that
/// started before the last cut is the same burst, already answered (as TCP cuts once per round trip).
/// </remarks>
internal sealed class AdaptiveConcurrency(int minimum, int maximum, bool enabled)
{
    private double _limit = maximum;

    /// <summary>Gets the number of cuts so far; an item records it when it starts.</summary>
    public long Epoch { get; private set; }

    /// <summary>Gets how many items may be in flight now.</summary>
    public int Limit => enabled ? Math.Clamp((int)_limit, minimum, maximum) : maximum;

    /// <summary>Adjusts the limit to what one finished item met.</summary>
    public void Observe(IReadOnlyList<AttemptRecord> attempts, long startEpoch)
    {
        if (!enabled)
        {
            return;
        }

        if (attempts.Any(a => IsOverload(a.Outcome)))
        {
            if (startEpoch == Epoch)
            {
                _limit = Math.Max(minimum, _limit / 2);
                Epoch++;
            }

            return;
        }

        // +1/limit per clean item is +1 per round of `limit` items.
        _limit = Math.Min(maximum, _limit + (1 / _limit));
    }

    // Signals that the provider wants less from us. An open breaker sent nothing, so it is no signal; server errors
    // and quota exhaustion do not get better with fewer requests in the air.
    private static bool IsOverload(AttemptOutcome outcome)
        => outcome is AttemptOutcome.Overloaded or AttemptOutcome.RateLimited or AttemptOutcome.Timeout;
}
