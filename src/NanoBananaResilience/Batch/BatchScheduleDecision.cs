namespace NanoBananaResilience;

/// <summary>What the scheduler decided for one item of a batch.</summary>
public enum BatchScheduleDecision
{
    /// <summary>Sent at once, as <see cref="BatchScheduling.Immediate"/> asks.</summary>
    Immediate,

    /// <summary>Sent at once, because it was already off-peak.</summary>
    OffPeak,

    /// <summary>Held back until the peak window ended, then sent off-peak.</summary>
    DeferredToOffPeak,

    /// <summary>Sent at once inside the peak window, because waiting for its end would have missed the deadline.</summary>
    PeakForDeadline,

    /// <summary>Not sent: an earlier run of the same batch already saved its image.</summary>
    AlreadyDone,
}
