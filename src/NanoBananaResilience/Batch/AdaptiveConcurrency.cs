namespace NanoBananaResilience;

/// <summary>
/// AIMD concurrency: the limit halves when an item meets overload and grows by one per round (as many clean items as
/// the limit), so a peak is met with fewer requests in the air rather than a retry storm.
/// </summary>
/// <remarks>
/// One burst halves the limit once: items carry the epoch they started in, and overload reported by an item that
/// started before the last cut is the same burst, already answered (as TCP cuts once per round trip).
/// </remarks>
internal sealed class AdaptiveConcurrency
{
    private readonly int _minimum;
    private readonly int _maximum;
    private readonly bool _enabled;
    private int _limit;
    private int _clean;

    public AdaptiveConcurrency(int minimum, int maximum, bool enabled)
    {
        _minimum = minimum;
        _maximum = maximum;
        _enabled = enabled;
        _limit = maximum;
    }

    /// <summary>Gets the number of cuts so far; an item records it when it starts.</summary>
    public long Epoch { get; private set; }

    /// <summary>Gets how many items may be in flight now.</summary>
    public int Limit => _enabled ? _limit : _maximum;

    /// <summary>Adjusts the limit to what one finished item met.</summary>
    public void Observe(IReadOnlyList<AttemptRecord> attempts, long startEpoch)
    {
        if (!_enabled)
        {
            return;
        }

        if (attempts.Any(a => IsOverload(a.Outcome)))
        {
            if (startEpoch == Epoch)
            {
                _limit = Math.Max(_minimum, _limit / 2);
                _clean = 0;
                Epoch++;
            }

            return;
        }

        if (++_clean >= _limit)
        {
            _clean = 0;
            _limit = Math.Min(_maximum, _limit + 1);
        }
    }

    // Signals that the provider wants less from us. An open breaker sent nothing, so it is no signal; server errors
    // and quota exhaustion do not get better with fewer requests in the air.
    private static bool IsOverload(AttemptOutcome outcome)
        => outcome is AttemptOutcome.Overloaded or AttemptOutcome.RateLimited or AttemptOutcome.Timeout;
}
