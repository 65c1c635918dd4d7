namespace NanoBananaResilience;

/// <summary>
/// The resolution class of a generated image: <c>0.5K</c>, <c>1K</c>, <c>2K</c> or <c>4K</c>.
/// Always written upper-case on the wire (<c>1k</c> is rejected by some gateways).
/// </summary>
public readonly struct ImageSize : IEquatable<ImageSize>
{
    private readonly string? _wireValue;

    private ImageSize(string wireValue) => _wireValue = wireValue;

    /// <summary>About 512 pixels on the long side; Nano Banana 2 only.</summary>
    public static ImageSize HalfK { get; } = new("0.5K");

    /// <summary>About 1024 pixels on the long side (the models' default).</summary>
    public static ImageSize OneK { get; } = new("1K");

    /// <summary>About 2048 pixels on the long side.</summary>
    public static ImageSize TwoK { get; } = new("2K");

    /// <summary>About 4096 pixels on the long side; 10–20 MB of base64 in the response.</summary>
    public static ImageSize FourK { get; } = new("4K");

    // The value as sent on the wire; a wire detail, so not public (ToString gives the same text for display).
    internal string WireValue => _wireValue ?? "1K";

    /// <summary>Parses <c>0.5K</c>, <c>512</c>, <c>1K</c>, <c>2K</c> or <c>4K</c>, in any case.</summary>
    /// <param name="value">The text to parse.</param>
    /// <returns>The size.</returns>
    /// <exception cref="ArgumentException">The text is not one of the sizes.</exception>
    public static ImageSize Parse(string value)
        => TryParse(value, out var size)
            ? size
            : throw new ArgumentException($"Image size '{value}' is not one of 0.5K, 1K, 2K, 4K.", nameof(value));

    /// <summary>Tries to parse a size; see <see cref="Parse"/>.</summary>
    /// <param name="value">The text to parse.</param>
    /// <param name="size">The size, when the text is valid.</param>
    /// <returns><see langword="true"/> when the text names a size.</returns>
    public static bool TryParse(string? value, out ImageSize size)
    {
        size = default;
        switch (value?.Trim().ToUpperInvariant())
        {
            case "0.5K" or "512" or ".5K":
                size = HalfK;
                return true;
            case "1K" or "1024":
                size = OneK;
                return true;
            case "2K" or "2048":
                size = TwoK;
                return true;
            case "4K" or "4096":
                size = FourK;
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    public bool Equals(ImageSize other) => WireValue == other.WireValue;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ImageSize other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(WireValue);

    /// <summary>Returns the size's name, for example <c>2K</c>.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => WireValue;

    /// <summary>Compares two sizes.</summary>
    /// <param name="left">The first size.</param>
    /// <param name="right">The second size.</param>
    /// <returns>Whether they are the same size.</returns>
    public static bool operator ==(ImageSize left, ImageSize right) => left.Equals(right);

    /// <summary>Compares two sizes.</summary>
    /// <param name="left">The first size.</param>
    /// <param name="right">The second size.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ImageSize left, ImageSize right) => !left.Equals(right);
}
