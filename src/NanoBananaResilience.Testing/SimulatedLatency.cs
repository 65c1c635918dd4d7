namespace NanoBananaResilience.Testing;

/// <summary>
/// A latency distribution: a value between <see cref="Minimum"/> and <see cref="Maximum"/>, spread uniformly when
/// <see cref="Concentration"/> is 1 and increasingly peaked around the midpoint as it grows.
/// </summary>
/// <remarks>
/// The value is <c>Minimum + (Maximum - Minimum) × mean of Concentration uniform draws</c> (a Bates distribution):
/// bounded, so a test can reason about the worst case, and with one knob for "high variance" versus "steady".
/// </remarks>
public sealed class SimulatedLatency
{
    /// <summary>
    /// Initializes a new instance of the <see cref="SimulatedLatency"/> class.
    /// </summary>
    /// <param name="minimum">The shortest latency; zero or more.</param>
    /// <param name="maximum">The longest latency; at least <paramref name="minimum"/>.</param>
    /// <param name="concentration">1 for a uniform spread; larger values concentrate around the midpoint.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public SimulatedLatency(TimeSpan minimum, TimeSpan maximum, int concentration = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        ArgumentOutOfRangeException.ThrowIfLessThan(concentration, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(concentration, 32);
        Minimum = minimum;
        Maximum = maximum;
        Concentration = concentration;
    }

    /// <summary>
    /// Gets the shortest latency.
    /// </summary>
    public TimeSpan Minimum { get; }

    /// <summary>
    /// Gets the longest latency.
    /// </summary>
    public TimeSpan Maximum { get; }

    /// <summary>
    /// Gets how many uniform draws are averaged: 1 is uniform (high variance), larger is steadier.
    /// </summary>
    public int Concentration { get; }

    /// <inheritdoc/>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Minimum.TotalSeconds:0.##}–{Maximum.TotalSeconds:0.##} s (concentration {Concentration})");
}
