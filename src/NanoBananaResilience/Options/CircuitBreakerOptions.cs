namespace NanoBananaResilience;

/// <summary>
/// Per-model health: a model whose requests almost all fail (an outage) is judged down and skipped without sending,
/// and probed sparsely until it answers; a model that fails a share of requests at random (noise) keeps its place in
/// the chain and its attempts. See docs/reliability.md, "Down or noisy".
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Gets or sets a value indicating whether models are judged down and cooled down at all. The default value is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the highest share of failed requests that still counts as noise rather than an outage. Outcomes
    /// are weighed between a model failing this share at random and one that is down (failing 95%): the higher the
    /// share, the more failures one success cancels (3.6 at 0.5, 8.1 at 0.8), and the less a noisy model is mistaken for
    /// a down one. Overloads (503), rate limits (429), quota refusals and attempt timeouts are failures. Each route also
    /// learns, per UTC hour, how often its model fails while up; in an hour where it fails less than this share, that
    /// learned share (at least 5%) is the noise it is weighed against, so an outage there is judged after fewer failures
    /// (three in a row for a model failing one request in eight). The default value is 0.5.
    /// </summary>
    [ConfigRange("0", "1", MinimumIsExclusive = true)]
    public double FailureRatio { get; set; } = OptionsDefaults.BreakerFailureRatio;

    /// <summary>
    /// Gets or sets the evidence, in failures net of what successes cancel, that judges a model down: with the
    /// defaults, eight failures in a row, or more with successes among them; fewer in an hour where the route has
    /// learned that its model rarely fails (see <see cref="FailureRatio"/>), never more. Outcomes are read in the order their
    /// requests were sent, so fast failures that overtake slow successes (over HTTP/2) do not count as a run. The default value is 8; a model failing 45% at random reaches it about once in a thousand
    /// outcomes.
    /// </summary>
    [ConfigRange("2", null)]
    public int MinimumThroughput { get; set; } = OptionsDefaults.BreakerMinimumThroughput;

    /// <summary>
    /// Gets or sets how long a model that is up may go without an outcome before the evidence against it halves (it
    /// halves again for each further such span): failures far apart say little about now. The default value is 5
    /// minutes.
    /// </summary>
    [ConfigRange("00:00:00.5", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = OptionsDefaults.BreakerSamplingDuration;

    /// <summary>
    /// Gets or sets how long after a model is judged down its first probe comes, and the shortest gap between probes.
    /// A probe is one request, sent by the first call that reaches the model once the slot has come (a call that still
    /// has another model to fall back on), so an outage that ends is noticed soon. The default value is 5 seconds.
    /// </summary>
    [ConfigRange("00:00:00.5", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = OptionsDefaults.BreakDuration;

    /// <summary>
    /// Gets or sets how long a daily quota refusal without a retry hint keeps a model off. The default value is 15
    /// minutes.
    /// </summary>
    [ConfigRange(null, OptionBounds.LongestSpan)] // a daily quota without a hint rests this long
    public TimeSpan MaxBreakDuration { get; set; } = OptionsDefaults.MaxBreakDuration;

    /// <summary>
    /// Gets or sets a value indicating whether a call that every model has failed or skipped spends, before it waits or
    /// fails, the attempts of the models that only their outage keeps off (never one a server asked to wait, after a
    /// 429 or a daily quota). With nowhere else to go, a request into an outage is the call's only chance, as in the
    /// 503 article's full chain; health then orders the chain without making a call give up. A success marks that
    /// model up for every call. The default value is <see langword="true"/>.
    /// </summary>
    public bool StrandedCallsTryOpenModels { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether a call that finds every model failed or down keeps trying within
    /// <see cref="NanoBananaOptions.TotalTimeout"/> instead of failing: it waits for a down model's next probe slot or
    /// a cooldown's end, while an answer could still arrive before the deadline, and walks the chain again. Probes are
    /// shared by every waiting call, so a thousand stranded calls still send one request per model per slot. Worth it
    /// for batch work that can wait out an outage; an interactive call would rather fail in seconds (the exception's
    /// <c>RetryAfter</c> says when a model is probed next). The default value is <see langword="false"/>.
    /// </summary>
    public bool WaitForReopen { get; set; }

    /// <summary>
    /// Gets or sets the longest gap between two probes of a down model. After the first (<see cref="BreakDuration"/>)
    /// each probe comes after half the outage's age so far: outages that have lasted long tend to last longer, so a
    /// short one is noticed within half its length and an hour-long one costs about twenty requests. The default value
    /// is 5 minutes.
    /// </summary>
    [ConfigRange("00:00:01", OptionBounds.LongestSpan)]
    public TimeSpan ProbeInterval { get; set; } = OptionsDefaults.ProbeInterval;

    /// <summary>
    /// Gets or sets how long a model is left alone after a rate limit (429) that carries no retry hint.
    /// A hint, when present, is used instead. The default value is 30 seconds.
    /// </summary>
    [ConfigRange("00:00:00", OptionBounds.LongestSpan)]
    public TimeSpan RateLimitCooldown { get; set; } = OptionsDefaults.RateLimitCooldown;
}
