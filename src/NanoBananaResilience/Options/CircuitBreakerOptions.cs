namespace NanoBananaResilience;

/// <summary>
/// The per-model circuit breaker: after a burst of overloads, rate limits or timeouts a model is left alone
/// for a while, so calls go straight to the next model instead of paying failed attempts.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Gets or sets a value indicating whether models are broken and cooled down at all. The default value is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the share of failed attempts within <see cref="SamplingDuration"/> that opens the breaker.
    /// The default value is 0.5.
    /// </summary>
    public double FailureRatio { get; set; } = OptionsDefaults.BreakerFailureRatio;

    /// <summary>
    /// Gets or sets the least number of attempts within <see cref="SamplingDuration"/> before the ratio counts.
    /// The default value is 3 (one call spending Nano Banana 2's three attempts on overloads opens it).
    /// </summary>
    public int MinimumThroughput { get; set; } = OptionsDefaults.BreakerMinimumThroughput;

    /// <summary>Gets or sets the window over which failures are counted. The default value is 2 minutes.</summary>
    public TimeSpan SamplingDuration { get; set; } = OptionsDefaults.BreakerSamplingDuration;

    /// <summary>
    /// Gets or sets how long the breaker stays open after its first trip. Each further trip without a success in
    /// between doubles it, up to <see cref="MaxBreakDuration"/>. Image calls take 10–60 s, so a shorter break would
    /// reopen before the next call arrives. The default value is 1 minute.
    /// </summary>
    public TimeSpan BreakDuration { get; set; } = OptionsDefaults.BreakDuration;

    /// <summary>Gets or sets the longest break (overload episodes last about 40 minutes at the median). The default value is 15 minutes.</summary>
    public TimeSpan MaxBreakDuration { get; set; } = OptionsDefaults.MaxBreakDuration;

    /// <summary>
    /// Gets or sets how long a model is left alone after a rate limit (429) that carries no retry hint.
    /// A hint, when present, is used instead. The default value is 30 seconds.
    /// </summary>
    public TimeSpan RateLimitCooldown { get; set; } = OptionsDefaults.RateLimitCooldown;
}
