namespace NanoBananaResilience;

/// <summary>
/// The clock a client runs on and the UTC peak window inside which it reverses its chain, as configured
/// (<c>NanoBanana:PeakHours</c>). Work scheduled around the client — a batch holding items back until the peak ends —
/// reads them here, so it keeps the same clock and the same window as the client.
/// </summary>
public sealed class NanoBananaSchedule
{
    private readonly PeakWindow _peak;

    // Internal so that a field can be added without breaking callers; tests build schedules with NanoBananaModelFactory.
    internal NanoBananaSchedule(TimeProvider timeProvider, bool peakHoursEnabled, TimeSpan peakStart, TimeSpan peakEnd)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        _peak = new PeakWindow(peakHoursEnabled, peakStart, peakEnd);
    }

    internal NanoBananaSchedule(TimeProvider timeProvider, PeakHoursOptions peakHours)
        : this(timeProvider, peakHours.Enabled, peakHours.Start, peakHours.End)
    {
    }

    /// <summary>Gets the client's clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets a value indicating whether the client reverses its chain inside the peak window.</summary>
    public bool PeakHoursEnabled => _peak.Enabled;

    /// <summary>Gets the UTC time of day at which the peak window starts (inclusive).</summary>
    public TimeSpan PeakStart => _peak.Start;

    /// <summary>Gets the UTC time of day at which the peak window ends (exclusive); before <see cref="PeakStart"/> when the window wraps midnight.</summary>
    public TimeSpan PeakEnd => _peak.End;

    /// <summary>Tells whether an instant falls inside the peak window: <c>[PeakStart, PeakEnd)</c> in UTC, never when the window is disabled or empty.</summary>
    /// <param name="instant">The instant to test.</param>
    /// <returns><see langword="true"/> inside the window.</returns>
    public bool IsPeak(DateTimeOffset instant) => _peak.Contains(instant);

    internal PeakWindow Window => _peak;

    /// <inheritdoc />
    public override string ToString()
        => PeakHoursEnabled ? $"peak [{PeakStart:hh\\:mm}, {PeakEnd:hh\\:mm}) UTC" : "no peak window";
}
