namespace NanoBananaResilience;

/// <summary>Decides, item by item, whether to send now or to hold back until the peak window ends.</summary>
internal sealed class OffPeakScheduler(BatchOptions options, NanoBananaSchedule schedule)
{
    private readonly PeakWindow _peak = schedule.Window;
    private readonly TimeProvider _time = schedule.TimeProvider;

    // Once the batch has waited for a window, the items it held back are sent after it: they say so.
    private bool _deferred;

    /// <summary>Gets the end of the window the batch is waiting for, while it waits.</summary>
    public DateTimeOffset? WaitingUntil { get; private set; }

    /// <summary>Returns the decision for the next item, after waiting for the window's end if that is the decision.</summary>
    public async Task<BatchScheduleDecision> DecideAsync(Action onWaitStarting, CancellationToken cancellationToken)
    {
        if (options.Scheduling == BatchScheduling.Immediate)
        {
            return BatchScheduleDecision.Immediate;
        }

        var now = _time.GetUtcNow();
        if (!_peak.Contains(now))
        {
            return _deferred ? BatchScheduleDecision.DeferredToOffPeak : BatchScheduleDecision.OffPeak;
        }

        var end = EndOfWindow(now);
        if (end + options.OffPeakMargin > options.Deadline)
        {
            return BatchScheduleDecision.PeakForDeadline;
        }

        _deferred = true;
        WaitingUntil = end;
        onWaitStarting();
        try
        {
            await Task.Delay(end - now, _time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            WaitingUntil = null;
        }

        return BatchScheduleDecision.DeferredToOffPeak;
    }

    /// <summary>The first instant after <paramref name="now"/> (inside the window) at which the window is over.</summary>
    private DateTimeOffset EndOfWindow(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var end = new DateTimeOffset(utc.Date, TimeSpan.Zero) + _peak.End;
        return end > utc ? end : end.AddDays(1);
    }
}
