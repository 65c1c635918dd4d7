namespace NanoBananaResilience;

/// <summary>Backoff between attempts on one model, and how far server hints are honoured.</summary>
public sealed class RetryOptions
{
    /// <summary>
    /// Gets or sets the delay before the first retry; it doubles for each further retry.
    /// The default value is 1 second.
    /// </summary>
    [ConfigRange("00:00:00", null)]
    public TimeSpan BaseDelay { get; set; } = OptionsDefaults.RetryBaseDelay;

    /// <summary>Gets or sets the longest computed backoff delay. The default value is 30 seconds.</summary>
    [ConfigRange("00:00:00", null)]
    public TimeSpan MaxDelay { get; set; } = OptionsDefaults.RetryMaxDelay;

    /// <summary>
    /// Gets or sets a value indicating whether backoff delays are randomised (each delay lies between half and
    /// all of the exponential value), so that many clients do not retry in step.
    /// The default value is <see langword="true"/>.
    /// </summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// Gets or sets the source of the jitter: a function returning a value in [0, 1). Set it to a seeded source to make
    /// the delays, and so a whole simulated run, reproducible. Many calls share it at once, so it must be thread-safe.
    /// Values outside [0, 1] are clamped. It cannot be set from configuration.
    /// The default value is <see langword="null"/>: <see cref="Random.Shared"/>.
    /// </summary>
    public Func<double>? Randomizer { get; set; }

    /// <summary>
    /// Gets or sets the longest server hint (<c>Retry-After</c>, <c>retry-after-ms</c>, <c>RetryInfo</c>) honoured
    /// by waiting. A longer hint means "move on to the next model now", never a long sleep.
    /// The default value is 1 minute.
    /// </summary>
    [ConfigRange("00:00:00", null)]
    public TimeSpan MaxRetryAfter { get; set; } = OptionsDefaults.MaxRetryAfter;
}
