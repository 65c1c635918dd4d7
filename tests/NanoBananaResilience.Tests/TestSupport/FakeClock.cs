using System.Diagnostics;
using System.Globalization;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>
/// Runs the work under test against a <see cref="DrivenClock"/>, moving the clock only while the work waits on it, and
/// then straight to the next due timer.
/// </summary>
/// <remarks>
/// <para>
/// Timers fire on the driver's own thread, which has no synchronization context, so the continuations they complete run
/// inline, up to the work's next wait, before the clock's move returns. The continuations the runtime does not run inline
/// (a cancelled <c>Task.Delay</c>'s, <c>CancelAsync</c>'s callbacks, a completion that runs its continuations
/// asynchronously) go to the thread pool, so the work waits on the clock once the move has returned and the pool is idle
/// (<see cref="ThreadPoolWatch"/>). Other tests' work on the pool only delays a drive. Work on threads of its own, neither
/// the driver's nor the pool's, is not seen: in-memory work has none.
/// </para>
/// <para>
/// Work can also wait by reading the clock in a loop: <c>Task.Delay</c> on a <see cref="TimeProvider"/> counts whole
/// milliseconds, so a wait of less than one ends at once, and code that waits until an instant less than a millisecond
/// away spins. Such work never lets the pool go idle and arms no timer, but it reads this clock — which nothing else does.
/// After <see cref="SpinReads"/> reads with no timer armed, changed or fired, the driver takes the work to be waiting on
/// the clock and moves it by the millisecond <c>Task.Delay</c> cannot express, or to the next due timer if that is sooner.
/// </para>
/// <para>
/// Real time never decides when the clock moves; it only bounds how long a drive waits before failing the test, with a
/// message that says what the work was waiting on: <see cref="StallAfter"/> once nothing runs and no timer is pending,
/// <see cref="BusyAfter"/> when the pool never goes idle.
/// </para>
/// </remarks>
internal static class FakeClock
{
    private static readonly TimeSpan DefaultLimit = TimeSpan.FromHours(3);

    // Idle with no timer pending, only a real socket or a real timer could still wake the work.
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(2);

    // Generous: the whole test run shares the thread pool, and a busy neighbour delays a drive without stalling it.
    private static readonly TimeSpan BusyAfter = TimeSpan.FromSeconds(60);

    // Far more than work between two timer changes reads the clock: every attempt arms a timeout.
    private const long SpinReads = 10_000;

    // The smallest wait Task.Delay can express on a TimeProvider.
    private static readonly TimeSpan SpinStep = TimeSpan.FromMilliseconds(1);

    // Nothing signals that the pool went idle, so a drive waiting for it looks again this often.
    private static readonly TimeSpan PoolPoll = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Moves the clock, whenever the work waits on it, to the next due timer until <paramref name="task"/> ends. Fails if
    /// the task would still be running past <paramref name="limit"/> of fake time (3 hours unless told).
    /// </summary>
    /// <param name="step">
    /// The longest single move; the clock still stops at every due timer. Only work that reads the clock without waiting on
    /// one of its timers can tell the difference.
    /// </param>
    public static async Task<T> DriveAsync<T>(this DrivenClock clock, Task<T> task, TimeSpan? step = null, TimeSpan? limit = null)
    {
        await new Driver(clock, task, satisfied: null, advance: true, step, limit ?? DefaultLimit).RunOnOwnThreadAsync();
        return await task;
    }

    /// <summary>
    /// <see cref="DriveAsync{T}"/> for a test that cannot await. The drive runs on the calling thread: a pool thread
    /// blocked on <see cref="DriveAsync{T}"/> instead would keep the pool looking busy where the kernel cannot say it is
    /// asleep (<see cref="ThreadPoolWatch"/>).
    /// </summary>
    public static T Drive<T>(this DrivenClock clock, Task<T> task)
    {
        new Driver(clock, task, satisfied: null, advance: true, step: null, DefaultLimit).Run();
        return task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Moves the clock as <see cref="DriveAsync{T}"/> does until <paramref name="condition"/> holds at a moment the work
    /// waits on the clock, and leaves it there.
    /// </summary>
    public static Task DriveUntilAsync(this DrivenClock clock, Func<bool> condition, TimeSpan? limit = null)
        => new Driver(clock, task: null, condition, advance: true, step: null, limit ?? DefaultLimit).RunOnOwnThreadAsync();

    /// <summary>
    /// Waits, without moving the clock, until the work waits on the clock with <paramref name="condition"/> true; fails
    /// if the work comes to wait on the clock with it false.
    /// </summary>
    public static Task WaitUntilAsync(this DrivenClock clock, Func<bool> condition)
        => new Driver(clock, task: null, condition, advance: false, step: null, limit: TimeSpan.Zero).RunOnOwnThreadAsync();

    private sealed class Driver(DrivenClock clock, Task? task, Func<bool>? satisfied, bool advance, TimeSpan? step, TimeSpan limit)
    {
        private readonly Signal _wake = new();
        private readonly CancellationToken _testEnded = TestContext.Current.CancellationToken;
        private long _start;

        public Task RunOnOwnThreadAsync()
        {
            if (task is { IsCompleted: true })
            {
                return Task.CompletedTask;
            }

            // Not a pool thread: the driver's waiting must neither look like work to the pool nor hold a thread the work may need.
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() =>
            {
                try
                {
                    Run();
                    finished.SetResult();
                }
                catch (Exception e)
                {
                    finished.SetException(e);
                }
            })
            { IsBackground = true, Name = "FakeClock driver" }.Start();
            return finished.Task;
        }

        public void Run()
        {
            if (task is { IsCompleted: true })
            {
                return;
            }

            clock.Listen(_wake.Set);
            try
            {
                using var driving = ThreadPoolWatch.DrivingOnThisThread();
                using var cancelled = _testEnded.UnsafeRegister(static wake => ((Signal)wake!).Set(), _wake);
                task?.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_wake.Set);
                Loop();
            }
            finally
            {
                clock.StopListening();
            }
        }

        private void Loop()
        {
            _start = clock.GetTimestamp();
            var (readsSeen, timersSeen) = (clock.Reads, clock.TimersVersion);
            var sinceMoved = Stopwatch.StartNew();
            var idleFor = Stopwatch.StartNew();
            while (true)
            {
                // Before looking: whatever happens from here on wakes the wait below.
                _wake.Reset();
                _testEnded.ThrowIfCancellationRequested();
                if (task is { IsCompleted: true })
                {
                    return;
                }

                if (!ThreadPoolWatch.IsIdle())
                {
                    idleFor.Restart();
                    if (clock.TimersVersion != timersSeen)
                    {
                        (readsSeen, timersSeen) = (clock.Reads, clock.TimersVersion);
                    }
                    else if (advance && clock.Reads - readsSeen > SpinReads)
                    {
                        var now = clock.GetTimestamp();
                        Move(Math.Min(clock.NextDue ?? long.MaxValue, now + SpinStep.Ticks));
                        (readsSeen, timersSeen) = (clock.Reads, clock.TimersVersion);
                        sinceMoved.Restart();
                        continue;
                    }

                    if (sinceMoved.Elapsed > BusyAfter)
                    {
                        throw new TimeoutException(Describe($"The thread pool did not go idle within {BusyAfter.TotalSeconds:0} s of real time"));
                    }

                    _wake.Wait(PoolPoll);
                    continue;
                }

                if (satisfied?.Invoke() == true)
                {
                    return;
                }

                if (advance && clock.NextDue is { } due)
                {
                    Move(step is { } most ? Math.Min(due, clock.GetTimestamp() + most.Ticks) : due);
                    (readsSeen, timersSeen) = (clock.Reads, clock.TimersVersion);
                    sinceMoved.Restart();
                    idleFor.Restart();
                    continue;
                }

                if (idleFor.Elapsed > StallAfter)
                {
                    throw new TimeoutException(Describe(advance
                        ? "The work stalled: it is not done, nothing runs it and no timer is pending"
                        : "The condition is false and the work waits on the clock, which this wait does not move"));
                }

                _wake.Wait(StallAfter - idleFor.Elapsed);
            }
        }

        private void Move(long target)
        {
            if (target - _start > limit.Ticks)
            {
                throw new TimeoutException(Describe($"The work was still waiting after {limit} of fake time"));
            }

            clock.MoveTo(target);
        }

        private string Describe(string what)
        {
            var now = clock.GetTimestamp();
            var next = clock.NextDue is { } due ? $"the next due in {TimeSpan.FromTicks(due - now)}" : "none due";
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{what} ({TimeSpan.FromTicks(now - _start)} of fake time into the drive; {clock.PendingTimerCount} timer(s) pending, {next}; {ThreadPoolWatch.Describe()}).");
        }
    }

    /// <summary>A wake-up that is never lost: a Set between Reset and Wait makes the Wait return at once.</summary>
    private sealed class Signal
    {
        private readonly object _gate = new();
        private bool _set;

        public void Set()
        {
            lock (_gate)
            {
                _set = true;
                Monitor.PulseAll(_gate);
            }
        }

        public void Reset()
        {
            lock (_gate)
            {
                _set = false;
            }
        }

        public void Wait(TimeSpan timeout)
        {
            lock (_gate)
            {
                if (!_set && timeout > TimeSpan.Zero)
                {
                    _ = Monitor.Wait(_gate, timeout);
                }
            }
        }
    }
}
