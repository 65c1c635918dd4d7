namespace NanoBananaResilience.Testing;

/// <summary>
/// A period during which a simulated model is overloaded and answers most calls with 503.
/// </summary>
/// <param name="Start">When the episode begins (inclusive).</param>
/// <param name="End">When the episode ends (exclusive).</param>
public readonly record struct SimulatedOverloadEpisode(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>
    /// Gets how long the episode lasts.
    /// </summary>
    public TimeSpan Duration => End - Start;

    /// <summary>
    /// Returns whether <paramref name="time"/> falls inside the episode.
    /// </summary>
    /// <param name="time">The instant to test.</param>
    /// <returns><see langword="true"/> when <c>Start ≤ time &lt; End</c>.</returns>
    public bool Contains(DateTimeOffset time) => time >= Start && time < End;
}
