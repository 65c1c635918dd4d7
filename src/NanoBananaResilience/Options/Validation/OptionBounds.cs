namespace NanoBananaResilience;

/// <summary>Bounds shared by several range rules, as the invariant text <see cref="ConfigRangeAttribute"/> reads.</summary>
internal static class OptionBounds
{
    /// <summary>The longest delay a <see cref="CancellationTokenSource"/> can schedule (<c>int.MaxValue − 1</c> ms).</summary>
    public const string LongestTimer = "24.20:31:23.646";

    /// <summary>The longest rest or window: times are computed as now ± this, which must stay on the calendar.</summary>
    public const string LongestSpan = "3650.00:00:00";

    /// <summary><see cref="Array.MaxLength"/>: the decoded images are held in one array.</summary>
    public const string LargestArray = "2147483591";

    /// <summary>The last instant of a day: a time of day is below 24:00.</summary>
    public const string LastInstantOfDay = "23:59:59.9999999";
}
