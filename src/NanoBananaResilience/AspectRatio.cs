using System.Globalization;

namespace NanoBananaResilience;

/// <summary>An aspect ratio written <c>W:H</c>, for example <c>16:9</c>.</summary>
public readonly struct AspectRatio : IEquatable<AspectRatio>
{
    /// <summary>Creates a ratio of two whole numbers from 1 to 100.</summary>
    /// <param name="width">The width part.</param>
    /// <param name="height">The height part.</param>
    /// <exception cref="ArgumentOutOfRangeException">A part is outside 1–100.</exception>
    public AspectRatio(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 100);
        Width = width;
        Height = height;
    }

    /// <summary>Gets the width part.</summary>
    public int Width { get; }

    /// <summary>Gets the height part.</summary>
    public int Height { get; }

    /// <summary>Parses <c>W:H</c> with whole numbers from 1 to 100.</summary>
    /// <param name="value">The text to parse.</param>
    /// <returns>The ratio.</returns>
    /// <exception cref="ArgumentException">The text is not a ratio.</exception>
    public static AspectRatio Parse(string value)
        => TryParse(value, out var ratio)
            ? ratio
            : throw new ArgumentException($"Aspect ratio '{value}' is not of the form W:H with whole numbers from 1 to 100, for example 16:9.", nameof(value));

    /// <summary>Tries to parse a ratio; see <see cref="Parse"/>.</summary>
    /// <param name="value">The text to parse.</param>
    /// <param name="ratio">The ratio, when the text is valid.</param>
    /// <returns><see langword="true"/> when the text is a ratio.</returns>
    public static bool TryParse(string? value, out AspectRatio ratio)
    {
        ratio = default;
        var text = value.AsSpan().Trim();
        var colon = text.IndexOf(':');
        if (colon <= 0
            || !int.TryParse(text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            || width is < 1 or > 100 || height is < 1 or > 100)
        {
            return false;
        }

        ratio = new AspectRatio(width, height);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(AspectRatio other) => Width == other.Width && Height == other.Height;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AspectRatio other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Width, Height);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Width}:{Height}");

    /// <summary>Compares two ratios.</summary>
    /// <param name="left">The first ratio.</param>
    /// <param name="right">The second ratio.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(AspectRatio left, AspectRatio right) => left.Equals(right);

    /// <summary>Compares two ratios.</summary>
    /// <param name="left">The first ratio.</param>
    /// <param name="right">The second ratio.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(AspectRatio left, AspectRatio right) => !left.Equals(right);
}
