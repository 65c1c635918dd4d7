namespace NanoBananaResilience;

/// <summary>The UTC peak window, half-open <c>[Start, End)</c>, wrapping midnight when Start is after End.</summary>
internal readonly record struct PeakWindow(bool Enabled, TimeSpan Start, TimeSpan End)
{
    public static PeakWindow From(PeakHoursOptions options) => new(options.Enabled, options.Start, options.End);

    /// <summary>No window: what the planner is given when the chain's order was chosen elsewhere.</summary>
    public static PeakWindow Off => default;

    public bool Contains(DateTimeOffset now)
    {
        if (!Enabled)
        {
            return false;
        }

        // Equal bounds take the first branch, which no time satisfies: the window is empty.
        var time = now.UtcDateTime.TimeOfDay;
        return Start <= End
            ? time >= Start && time < End
            : time >= Start || time < End;
    }
}
