using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace NanoBananaResilience;

/// <summary>
/// A range rule for one options property, checked by the generated <see cref="NanoBananaOptionsRangeValidator"/>. Unlike
/// <see cref="RangeAttribute"/>, its message names the configuration key (<c>NanoBanana:Retry:MaxDelay</c>) and the
/// value that broke the rule, and it reads <see cref="TimeSpan"/>, whole and decimal numbers with one attribute.
/// A <see langword="null"/> value (an optional setting left unset) passes.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
internal sealed class ConfigRangeAttribute : ValidationAttribute
{
    /// <summary>Creates the rule; a bound of <see langword="null"/> or empty means unbounded on that side.</summary>
    /// <param name="minimum">The least value, as invariant text: a number, or a <see cref="TimeSpan"/> (<c>00:00:01</c>).</param>
    /// <param name="maximum">The greatest value, in the same form.</param>
    public ConfigRangeAttribute(string? minimum, string? maximum)
    {
        Minimum = string.IsNullOrEmpty(minimum) ? null : minimum;
        Maximum = string.IsNullOrEmpty(maximum) ? null : maximum;
    }

    /// <summary>Gets the least value, or <see langword="null"/>.</summary>
    public string? Minimum { get; }

    /// <summary>Gets the greatest value, or <see langword="null"/>.</summary>
    public string? Maximum { get; }

    /// <summary>Gets or sets a value indicating whether the value must be greater than <see cref="Minimum"/>, not equal to it.</summary>
    public bool MinimumIsExclusive { get; set; }

    /// <summary>Gets or sets a value indicating whether the setting may be left unset: the message says the rule holds "when set".</summary>
    public bool Optional { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        var (belowMinimum, aboveMaximum, minimum, maximum, got) = value switch
        {
            null => (false, false, null, null, string.Empty),
            TimeSpan span => Compare(span, Minimum is null ? null : TimeSpan.Parse(Minimum, CultureInfo.InvariantCulture), Maximum is null ? null : TimeSpan.Parse(Maximum, CultureInfo.InvariantCulture)),
            double number when double.IsNaN(number) => (true, true, Format(Number(Minimum)), Format(Number(Maximum)), "NaN"),
            double number => Compare(number, (double?)Number(Minimum), (double?)Number(Maximum)),
            IConvertible number => Compare(Convert.ToDecimal(number, CultureInfo.InvariantCulture), Number(Minimum), Number(Maximum)),
            _ => throw new InvalidOperationException($"{nameof(ConfigRangeAttribute)} does not check values of type {value.GetType()}."),
        };

        return belowMinimum || aboveMaximum
            ? new ValidationResult($"{ConfigurationKey.FromDisplayName(validationContext.DisplayName)} {Rule(minimum, maximum)}{(Optional ? " when set" : string.Empty)}; got {got}.")
            : ValidationResult.Success;
    }

    private (bool Below, bool Above, string? Minimum, string? Maximum, string Got) Compare<T>(T value, T? minimum, T? maximum)
        where T : struct, IComparable<T>, IFormattable
    {
        var below = minimum is { } least && (MinimumIsExclusive ? value.CompareTo(least) <= 0 : value.CompareTo(least) < 0);
        var above = maximum is { } most && value.CompareTo(most) > 0;
        return (below, above, Format(minimum), Format(maximum), Format<T>(value)!);
    }

    private static decimal? Number(string? bound) => bound is null ? null : decimal.Parse(bound, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string? Format<T>(T? value)
        where T : struct, IFormattable
        => value?.ToString(null, CultureInfo.InvariantCulture);

    private string Rule(string? minimum, string? maximum) => (minimum, maximum, MinimumIsExclusive) switch
    {
        ({ } least, { } most, false) => $"must be between {least} and {most}",
        ({ } least, { } most, true) => $"must be greater than {least} and at most {most}",
        ("0" or "00:00:00", null, false) => "must not be negative",
        ("0" or "00:00:00", null, true) => "must be positive",
        ({ } least, null, false) => $"must be at least {least}",
        ({ } least, null, true) => $"must be greater than {least}",
        (null, { } most, _) => $"must be at most {most}",
        _ => "is out of range",
    };
}
