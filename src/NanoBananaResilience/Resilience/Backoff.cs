namespace NanoBananaResilience;

/// <summary>
/// Exponential backoff: <c>BaseDelay × 2^retry</c>, capped at <c>MaxDelay</c>; with jitter, a uniform value
/// between half and all of it ("equal jitter": never zero, so a retry never hammers at once).
/// </summary>
internal static class Backoff
{
    public static TimeSpan Compute(RetryOptions options, int retryIndex, Func<double> random)
    {
        var exponential = options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retryIndex, 30));
        var capped = Math.Min(exponential, options.MaxDelay.TotalMilliseconds);
        var jittered = options.UseJitter ? capped * (0.5 + (0.5 * Math.Clamp(random(), 0, 1))) : capped; // a caller's randomizer may stray
        return TimeSpan.FromMilliseconds(jittered);
    }
}
