namespace NanoBananaResilience;

/// <summary>
/// The UTC window inside which the model chain is reversed (Pro first), because Nano Banana 2 fails far more
/// often then. The window is half-open, <c>[Start, End)</c>, and may wrap midnight (for example 22:00–02:00).
/// </summary>
public sealed class PeakHoursOptions
{
    /// <summary>Gets or sets a value indicating whether the chain is reversed inside the window. The default value is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the first UTC time of day inside the window. The default value is 10:00.</summary>
    [ConfigRange("00:00:00", OptionBounds.LastInstantOfDay)]
    public TimeSpan Start { get; set; } = OptionsDefaults.PeakStart;

    /// <summary>Gets or sets the first UTC time of day after the window. The default value is 14:00.</summary>
    [ConfigRange("00:00:00", OptionBounds.LastInstantOfDay)]
    public TimeSpan End { get; set; } = OptionsDefaults.PeakEnd;

    /// <summary>
    /// Gets or sets how the chain's order is chosen: by the clock alone (reversed inside the window), or adapted per
    /// UTC hour to what the models' requests have done in that hour, with the window as the starting belief.
    /// The default value is <see cref="PeakHoursMode.Clock"/>.
    /// </summary>
    public PeakHoursMode Mode { get; set; } = PeakHoursMode.Clock;
}
