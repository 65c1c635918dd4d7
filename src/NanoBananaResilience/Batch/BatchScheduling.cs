namespace NanoBananaResilience;

/// <summary>When the items of a batch are sent.</summary>
public enum BatchScheduling
{
    /// <summary>Every item is sent as soon as a concurrency slot is free, through the configured chain.</summary>
    Immediate,

    /// <summary>
    /// Items wait for the end of the peak window when <see cref="BatchOptions.Deadline"/> allows, and run off-peak, when
    /// Nano Banana 2 is cheap and mostly up; when it does not allow, they run now through the chain.
    /// </summary>
    PreferOffPeak,
}
