using System.Diagnostics;
using System.Globalization;

namespace NanoBananaResilience.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when told to, and a driver that runs asynchronous work to
/// completion by jumping the clock to the next due timer whenever the work is idle — so a simulated day of calls with
/// 30-second latencies and minute-long backoffs runs in seconds of real time.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="RunAsync{T}(Func{Task{T}}, CancellationToken)"/> starts the work on a dedicated thread, then repeats:
/// wait until the work is idle, fire the earliest timer (setting the clock to its due time), until the work completes.
/// Timers fire one due time at a time, in order, so a 30 s delay racing a 120 s attempt timeout completes first, and
/// whatever the work does in reaction (cancel the timeout, start a backoff) is seen before the clock moves again.
/// </para>
/// <para>
/// "Idle" is detected, not known: the work is considered idle once, for <see cref="SettleTime"/> of real time, no timer
/// has been created, changed or disposed, and the thread pool has no queued work items and no more busy workers than
/// when the run started (the latter two are waited for at most <see cref="MaxSettleTime"/>, since other code in the
/// process may keep the pool busy). Most continuations never need this: a timer's callback completes the
/// <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> task on the driver thread, and awaits configured
/// with <c>ConfigureAwait(false)</c> continue inline up to the next timer.
/// </para>
/// <para>Limits, and what to do about them:</para>
/// <list type="bullet">
/// <item><description>Work that waits on something other than this clock (real sockets, real <see cref="Task.Delay(TimeSpan)"/>,
/// another <see cref="TimeProvider"/>) for longer than the settle time may see the clock jump past a timer it was
/// about to cancel. Keep virtual-time runs in memory (<see cref="SimulatedGeminiHandler"/> as the client's handler);
/// with the loopback server, raise <see cref="SettleTime"/>.</description></item>
/// <item><description>Work that is blocked with no timer pending for longer than <see cref="StallTimeout"/> fails the
/// run with <see cref="TimeoutException"/> rather than hanging.</description></item>
/// <item><description>Callbacks run on the driver thread; a callback that blocks, blocks the clock.</description></item>
/// </list>
/// <para>
/// <c>FakeTimeProvider</c> (Microsoft.Extensions.TimeProvider.Testing) is a fine clock for step-by-step tests, but it
/// does not report when timers are created or changed, which the driver needs to know the work has moved on; this type
/// keeps that bookkeeping and spares users of this package a dependency. It works with any code that takes a
/// <see cref="TimeProvider"/>: Polly v8, <see cref="CancellationTokenSource(TimeSpan, TimeProvider)"/>, <see cref="PeriodicTimer"/>.
/// </para>
/// </remarks>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<VirtualTimer> _scheduled = [];
    private DateTimeOffset _now;
    private long _version;
    private long _sequence;

    /// <summary>
    /// Initializes a new instance of the <see cref="VirtualTimeProvider"/> class whose clock starts at
    /// 2026-01-05 00:00 UTC (a Monday).
    /// </summary>
    public VirtualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="VirtualTimeProvider"/> class.
    /// </summary>
    /// <param name="startTime">The time the clock starts at.</param>
    public VirtualTimeProvider(DateTimeOffset startTime) => _now = startTime.ToUniversalTime();

    /// <summary>
    /// Gets or sets how long, in real time, nothing must happen before the work is considered idle.
    /// </summary>
    /// <remarks>The default value is 2 milliseconds.</remarks>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Gets or sets the longest real time spent waiting for the thread pool to drain before the clock moves anyway;
    /// <see cref="Timeout.InfiniteTimeSpan"/> never moves the clock while the pool is busy.
    /// </summary>
    /// <remarks>
    /// <para>The default value is 50 milliseconds, which suits a process where other code (a test runner running tests in
    /// parallel) may keep the pool busy.</para>
    /// <para>Set it to <see cref="Timeout.InfiniteTimeSpan"/> when the work is the only thing in the process that uses the
    /// pool, as in a simulation: then a continuation delayed on a loaded machine can never see the clock jump past it.
    /// A pool that stays busy for <see cref="StallTimeout"/> fails the run with <see cref="TimeoutException"/>; so does a
    /// caller that blocks a pool thread on the run instead of awaiting it.</para>
    /// </remarks>
    public TimeSpan MaxSettleTime { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Gets or sets the longest real time the work may stay incomplete with no timer pending before the run fails.
    /// </summary>
    /// <remarks>The default value is 30 seconds.</remarks>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>
    /// Gets the number of timers waiting to fire.
    /// </summary>
    public int PendingTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _scheduled.Count;
            }
        }
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock forward, firing every timer that falls due on the way, in order, each at its due time.
    /// </summary>
    /// <param name="delta">How far to move; zero or more.</param>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        while (FireNext(target))
        {
        }

        lock (_gate)
        {
            if (_now < target)
            {
                _now = target;
            }
        }
    }

    /// <summary>
    /// Moves the clock to the earliest due timer and fires the timers due at that instant.
    /// </summary>
    /// <returns><see langword="false"/> when no timer is pending (the clock does not move).</returns>
    public bool AdvanceToNextTimer()
    {
        DateTimeOffset due;
        lock (_gate)
        {
            if (_scheduled.Count == 0)
            {
                return false;
            }

            due = _scheduled.Min(t => t.Due);
        }

        while (FireNext(due))
        {
        }

        return true;
    }

    /// <summary>
    /// Runs <paramref name="work"/> to completion, advancing the clock to the next due timer whenever the work is idle.
    /// </summary>
    /// <typeparam name="T">The work's result type.</typeparam>
    /// <param name="work">The work; it should take its time from this provider.</param>
    /// <param name="cancellationToken">Stops driving the clock.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="TimeoutException">The work stayed blocked with no timer pending for <see cref="StallTimeout"/>.</exception>
    public Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);

        // A caller on a pool thread gives it back when it awaits the run: its thread is not part of the baseline, or work
        // of ours that later runs there would look like the caller still busy and the clock would move under it.
        var callerBusy = Thread.CurrentThread.IsThreadPoolThread ? 1 : 0;

        // A dedicated thread, so that the driver's own waiting never shows up as thread-pool activity.
        return Task.Factory.StartNew(
            () =>
            {
                var baselineBusy = Math.Max(0, BusyWorkers() - callerBusy);
                var task = work();
                Drive(task, baselineBusy, cancellationToken);
                return task;
            },
            cancellationToken,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default).Unwrap();
    }

    /// <summary>
    /// Runs <paramref name="work"/> to completion, advancing the clock to the next due timer whenever the work is idle.
    /// </summary>
    /// <param name="work">The work; it should take its time from this provider.</param>
    /// <param name="cancellationToken">Stops driving the clock.</param>
    /// <returns>A task that completes with the work.</returns>
    /// <exception cref="TimeoutException">The work stayed blocked with no timer pending for <see cref="StallTimeout"/>.</exception>
    public Task RunAsync(Func<Task> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(
            async () =>
            {
                await work().ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public override string ToString() => GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static int BusyWorkers()
    {
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        ThreadPool.GetAvailableThreads(out var availableWorkers, out _);
        return maxWorkers - availableWorkers;
    }

    private void Drive(Task task, int baselineBusy, CancellationToken cancellationToken)
    {
        var stalled = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WaitUntilIdle(task, ref baselineBusy);
            if (task.IsCompleted)
            {
                break;
            }

            if (AdvanceToNextTimer())
            {
                stalled.Restart();
                continue;
            }

            // Nothing to fire: the work is waiting on something real (or is deadlocked).
            if (stalled.Elapsed > StallTimeout)
            {
                throw new TimeoutException(
                    string.Create(CultureInfo.InvariantCulture, $"The work neither completed nor scheduled a timer for {StallTimeout.TotalSeconds:0.#} s of real time; it is waiting on something other than this clock."));
            }

            Thread.Sleep(1);
        }
    }

    private void WaitUntilIdle(Task task, ref int baselineBusy)
    {
        var quiet = Stopwatch.StartNew();
        var total = Stopwatch.StartNew();
        var version = Interlocked.Read(ref _version);
        var spinner = default(SpinWait);
        var waitForPool = MaxSettleTime == Timeout.InfiniteTimeSpan;
        while (!task.IsCompleted)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            var current = Interlocked.Read(ref _version);
            var busy = BusyWorkers();

            // The caller may have been on a pool thread when the run began and released it since: the baseline is the
            // fewest busy workers seen, so work of ours that later runs on that thread still counts as busy.
            baselineBusy = Math.Min(baselineBusy, busy);
            var poolBusy = ThreadPool.PendingWorkItemCount > 0 || busy > baselineBusy;
            if (poolBusy && waitForPool && total.Elapsed > StallTimeout)
            {
                throw new TimeoutException(
                    string.Create(CultureInfo.InvariantCulture, $"The thread pool stayed busy for {StallTimeout.TotalSeconds:0.#} s of real time while the clock waited for the work to go idle; something else in the process keeps it busy."));
            }

            if (current != version || (poolBusy && (waitForPool || total.Elapsed < MaxSettleTime)))
            {
                version = current;
                quiet.Restart();
                continue;
            }

            if (quiet.Elapsed >= SettleTime)
            {
                return;
            }
        }
    }

    /// <summary>Fires the earliest timer due at or before <paramref name="limit"/>; false when there is none.</summary>
    private bool FireNext(DateTimeOffset limit)
    {
        VirtualTimer? next = null;
        lock (_gate)
        {
            foreach (var timer in _scheduled)
            {
                if (timer.Due <= limit && (next is null || timer.Due < next.Due || (timer.Due == next.Due && timer.Sequence < next.Sequence)))
                {
                    next = timer;
                }
            }

            if (next is null)
            {
                return false;
            }

            if (_now < next.Due)
            {
                _now = next.Due;
            }

            if (next.Period > TimeSpan.Zero && next.Period != Timeout.InfiniteTimeSpan)
            {
                next.Due += next.Period;
            }
            else
            {
                _ = _scheduled.Remove(next);
                next.IsScheduled = false;
            }

            _version++;
        }

        // Outside the lock: the callback typically completes a task whose continuations create the next timers.
        next.Callback(next.State);
        return true;
    }

    private void Schedule(VirtualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "The due time must be zero or more, or infinite.");
        }

        if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be zero or more, or infinite.");
        }

        lock (_gate)
        {
            if (timer.IsScheduled)
            {
                _ = _scheduled.Remove(timer);
                timer.IsScheduled = false;
            }

            if (!timer.IsDisposed && dueTime != Timeout.InfiniteTimeSpan)
            {
                timer.Due = _now + dueTime;
                timer.Period = period;
                timer.Sequence = ++_sequence;
                timer.IsScheduled = true;
                _scheduled.Add(timer);
            }

            _version++;
        }
    }

    private void Remove(VirtualTimer timer)
    {
        lock (_gate)
        {
            timer.IsDisposed = true;
            if (timer.IsScheduled)
            {
                _ = _scheduled.Remove(timer);
                timer.IsScheduled = false;
            }

            _version++;
        }
    }

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool IsScheduled { get; set; }

        public bool IsDisposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (IsDisposed)
            {
                return false;
            }

            owner.Schedule(this, dueTime, period);
            return true;
        }

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            owner.Remove(this);
            return ValueTask.CompletedTask;
        }
    }
}
