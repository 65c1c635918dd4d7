using System.Globalization;

namespace NanoBananaResilience;

/// <summary>The fleet's view of one model's health, as another process last changed it.</summary>
public readonly struct SharedModelHealth : IEquatable<SharedModelHealth>
{
    /// <summary>Initializes a new instance of the <see cref="SharedModelHealth"/> struct.</summary>
    /// <param name="openUntil">Until when a breaker keeps the model off; <see langword="default"/> when it is closed.</param>
    /// <param name="coolUntil">Until when a server's hint keeps the model off; <see langword="default"/> when none does.</param>
    /// <param name="consecutiveTrips">How many times in a row the model has tripped across the fleet; 0 after a recovery.</param>
    public SharedModelHealth(DateTimeOffset openUntil, DateTimeOffset coolUntil, int consecutiveTrips)
    {
        OpenUntil = openUntil;
        CoolUntil = coolUntil;
        ConsecutiveTrips = consecutiveTrips;
    }

    /// <summary>Gets until when a breaker keeps the model off; <see langword="default"/> when it is closed.</summary>
    public DateTimeOffset OpenUntil { get; }

    /// <summary>Gets until when a server's hint keeps the model off; <see langword="default"/> when none does.</summary>
    public DateTimeOffset CoolUntil { get; }

    /// <summary>Gets how many times in a row the model has tripped across the fleet; 0 after a recovery.</summary>
    public int ConsecutiveTrips { get; }

    /// <summary>Gets a value indicating whether a breaker keeps the model off at all (as opposed to a recovery).</summary>
    public bool IsOpen => OpenUntil != default;

    /// <summary>Compares two views.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(SharedModelHealth left, SharedModelHealth right) => left.Equals(right);

    /// <summary>Compares two views.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(SharedModelHealth left, SharedModelHealth right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(SharedModelHealth other) => OpenUntil == other.OpenUntil && CoolUntil == other.CoolUntil && ConsecutiveTrips == other.ConsecutiveTrips;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SharedModelHealth other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(OpenUntil, CoolUntil, ConsecutiveTrips);

    /// <inheritdoc />
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"open until {(IsOpen ? OpenUntil.ToString("O", CultureInfo.InvariantCulture) : "-")}, cool until {(CoolUntil == default ? "-" : CoolUntil.ToString("O", CultureInfo.InvariantCulture))}, {ConsecutiveTrips} trip(s)");
}
