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
    [ConfigRange("0", "1", MinimumIsExclusive = true)]
    public double FailureRatio { get; set; } = OptionsDefaults.BreakerFailureRatio;

    /// <summary>
    /// Gets or sets the least number of attempts within <see cref="SamplingDuration"/> before the ratio counts.
    /// The default value is 3 (one call spending Nano Banana 2's three attempts on overloads opens it).
    /// </summary>
    [ConfigRange("2", null)]
    public int MinimumThroughput { get; set; } = OptionsDefaults.BreakerMinimumThroughput;

    /// <summary>Gets or sets the window over which failures are counted. The default value is 2 minutes.</summary>
    [ConfigRange("00:00:00.5", "1.00:00:00")] // Polly's own bounds, checked here so that they fail at start-up
    public TimeSpan SamplingDuration { get; set; } = OptionsDefaults.BreakerSamplingDuration;

    /// <summary>
    /// Gets or sets how long the breaker stays open after its first trip. Each further trip without a success in
    /// between doubles it, up to <see cref="MaxBreakDuration"/>. Image calls take 10–60 s, so a shorter break would
    /// reopen before the next call arrives. The default value is 1 minute.
    /// </summary>
    [ConfigRange("00:00:00.5", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = OptionsDefaults.BreakDuration;

    /// <summary>Gets or sets the longest break (overload episodes last about 40 minutes at the median). The default value is 15 minutes.</summary>
    [ConfigRange(null, OptionBounds.LongestSpan)] // a daily quota without a hint rests this long
    public TimeSpan MaxBreakDuration { get; set; } = OptionsDefaults.MaxBreakDuration;

    /// <summary>
    /// Gets or sets a value indicating whether a call that every model has failed or rests for spends, before it waits or
    /// fails, the attempts of the models that only an open breaker keeps off (never one a server asked to wait, after a
    /// 429 or a daily quota). With nowhere else to go, a request into an outage is the call's only chance, as in the
    /// 503 article's full chain; a breaker then orders the chain without making a call give up. A success closes that
    /// breaker for every call. The price: while every model is down, every call spends its attempts instead of one
    /// probe per interval for all of them; docs/simulation.md measures the trade with <c>WaitForReopen</c> off.
    /// The default value is <see langword="false"/>.
    /// </summary>
    public bool StrandedCallsTryOpenModels { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a call that finds every model failed or resting keeps trying within
    /// <see cref="NanoBananaOptions.TotalTimeout"/> instead of failing at once: it waits for the first model to
    /// reopen, and meanwhile sends a single probe through an open breaker every <see cref="ProbeInterval"/> (never
    /// through a server's own cooldown, such as a 429's <c>RetryInfo</c>). Probes are shared by every waiting call,
    /// so a thousand stranded calls still send one request per model per interval. Set it to
    /// <see langword="false"/> to fail fast (the exception's <c>RetryAfter</c> says when a model reopens). The
    /// default value is <see langword="true"/>.
    /// </summary>
    public bool WaitForReopen { get; set; } = true;

    /// <summary>
    /// Gets or sets how often, per model, a call that finds every model resting may probe a model whose breaker is
    /// open (see <see cref="WaitForReopen"/>). A success closes the breaker for every call. Breaks stay long, so
    /// calls that have another model do not spend requests on one that is down; only calls with nowhere else to
    /// go probe. The default value is 30 seconds.
    /// </summary>
    [ConfigRange("00:00:01", OptionBounds.LongestSpan)] // a trip sets the first probe at now + ProbeInterval
    public TimeSpan ProbeInterval { get; set; } = OptionsDefaults.ProbeInterval;

    /// <summary>
    /// Gets or sets how long a model is left alone after a rate limit (429) that carries no retry hint.
    /// A hint, when present, is used instead. The default value is 30 seconds.
    /// </summary>
    [ConfigRange("00:00:00", OptionBounds.LongestSpan)]
    public TimeSpan RateLimitCooldown { get; set; } = OptionsDefaults.RateLimitCooldown;
}
