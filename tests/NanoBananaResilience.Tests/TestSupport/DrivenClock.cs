using Microsoft.Extensions.Time.Testing;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that says which timers are pending and when they are due, so <see cref="FakeClock"/>
/// can move time straight to the next one, and that tells its driver when a timer changes.
/// </summary>
/// <remarks>
/// The timers are this class's own, not the base class's: the base does not say when its timers are due, and a copy of
/// its schedule would drift whenever a timer is armed while another thread moves the clock. One base timer, the alarm,
/// stays armed for the earliest of them, so a test that calls <see cref="FakeTimeProvider.Advance(TimeSpan)"/> or
/// <see cref="FakeTimeProvider.SetUtcNow(DateTimeOffset)"/> itself fires them as a plain fake clock would: in due order,
/// every callback seeing the time the clock was moved to.
/// </remarks>
internal sealed class DrivenClock : FakeTimeProvider
{
    // Never held while reading the clock: the base class's GetUtcNow may fire the alarm, and so the timers, inline.
    private readonly object _gate = new();
    private readonly List<Timer> _pending = [];
    private readonly ITimer _alarm;
    private long _sequence;
    private long _version;
    private long _reads;
    private Action? _onChange;

    public DrivenClock(DateTimeOffset start)
        : base(start)
    {
        _alarm = base.CreateTimer(static clock => ((DrivenClock)clock!).FireDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many times the clock has been read; see <see cref="FakeClock"/> on work that waits by reading it.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Changes whenever a timer is armed, changed, fired or disposed.</summary>
    public long TimersVersion
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    public int PendingTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>When the earliest pending timer is due, in <see cref="GetTimestamp"/> ticks; null when none is.</summary>
    public long? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count == 0 ? null : _pending.Min(t => t.Due);
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        Interlocked.Increment(ref _reads);
        return base.GetUtcNow();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new Timer(this, callback, state);
        _ = timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock to <paramref name="due"/> (ticks) and fires the timers due by then, on this thread; returns once
    /// their callbacks, and whatever they ran inline, have returned.
    /// </summary>
    public void MoveTo(long due)
    {
        var now = GetTimestamp();
        if (due > now)
        {
            Advance(TimeSpan.FromTicks(due - now));
        }

        // The alarm may be armed late when timers changed on two threads at once: the driver does not depend on it.
        FireDue();
    }

    /// <summary>Calls <paramref name="onChange"/> whenever a timer is armed, changed, fired or disposed; one listener at a time.</summary>
    public void Listen(Action onChange)
    {
        if (Interlocked.CompareExchange(ref _onChange, onChange, null) is not null)
        {
            throw new InvalidOperationException("Another driver is already moving this clock.");
        }
    }

    public void StopListening() => Volatile.Write(ref _onChange, null);

    private bool Change(Timer timer, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, Timeout.InfiniteTimeSpan);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, Timeout.InfiniteTimeSpan);
        var now = GetTimestamp();
        lock (_gate)
        {
            if (timer.IsDisposed)
            {
                return false;
            }

            _ = _pending.Remove(timer);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                timer.Due = now + dueTime.Ticks;
                timer.Period = period > TimeSpan.Zero ? period : Timeout.InfiniteTimeSpan;
                timer.Sequence = ++_sequence;
                _pending.Add(timer);
            }

            _version++;
        }

        Changed();
        return true;
    }

    private void Remove(Timer timer)
    {
        lock (_gate)
        {
            timer.IsDisposed = true;
            if (!_pending.Remove(timer))
            {
                return;
            }

            _version++;
        }

        Changed();
    }

    private void Changed()
    {
        Rearm();
        Volatile.Read(ref _onChange)?.Invoke();
    }

    /// <summary>Fires, one at a time and in due order (ties in the order they were armed), every timer due by now.</summary>
    private void FireDue()
    {
        while (true)
        {
            Timer? next = null;
            var now = GetTimestamp();
            lock (_gate)
            {
                foreach (var timer in _pending)
                {
                    if (timer.Due <= now && (next is null || timer.Due < next.Due || (timer.Due == next.Due && timer.Sequence < next.Sequence)))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    break;
                }

                if (next.Period == Timeout.InfiniteTimeSpan)
                {
                    _ = _pending.Remove(next);
                }
                else
                {
                    next.Due += next.Period.Ticks;
                }

                _version++;
            }

            // Outside the lock: a callback typically completes a task whose continuations arm the next timers.
            next.Callback(next.State);
        }

        Changed();
    }

    /// <summary>Arms the alarm for the earliest pending timer, again if the timers changed meanwhile.</summary>
    private void Rearm()
    {
        while (true)
        {
            long version;
            TimeSpan dueIn;
            var now = GetTimestamp();
            lock (_gate)
            {
                version = _version;
                dueIn = _pending.Count == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(Math.Max(0, _pending.Min(t => t.Due) - now));
            }

            // Outside the lock: a zero due time fires the alarm, and so the timers, on this thread, as the base class would.
            _ = _alarm.Change(dueIn, Timeout.InfiniteTimeSpan);
            lock (_gate)
            {
                if (_version == version)
                {
                    return;
                }
            }
        }
    }

    private sealed class Timer(DrivenClock clock, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public long Due { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool IsDisposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => clock.Change(this, dueTime, period);

        public void Dispose() => clock.Remove(this);

        public ValueTask DisposeAsync()
        {
            clock.Remove(this);
            return ValueTask.CompletedTask;
        }
    }
}
