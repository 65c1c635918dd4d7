using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>Whether the thread pool is running anything at all, as <see cref="FakeClock"/> needs to know.</summary>
/// <remarks>
/// <para>
/// Work that resumed on the pool cannot be told apart from other tests' work: the runtime moves a continuation from the
/// queue to a worker, and from one execution context to the next, through code that runs in no execution context at
/// all. So the pool counts as idle only when nothing in it runs: no item queued, and every worker asleep — parked for
/// want of work, or blocked in a wait. Whose wait does not matter: a test blocked on a drive, or on anything else, runs
/// nothing until something that runs wakes it.
/// </para>
/// <para>
/// On Linux the kernel says which workers are asleep. Elsewhere only the pool's count of busy workers is available, and
/// it counts a blocked worker as busy: a blocked pool thread there holds every drive up until it unblocks.
/// </para>
/// </remarks>
internal static class ThreadPoolWatch
{
    private const string Tasks = "/proc/self/task";

    // The name the runtime gives its worker threads, as the kernel reports it (15 characters at most).
    private static readonly byte[] WorkerName = Encoding.ASCII.GetBytes("(.NET TP Worker)");

    [ThreadStatic]
    private static int t_threadId;

    // Pool threads running a synchronous drive: on the count of busy workers, though they run no work while they look.
    private static int s_drivesOnPoolThreads;

    /// <summary>
    /// Whether no work item is queued and no pool thread runs one, the calling thread aside: looked at twice, with no
    /// work item completing in between, so that a worker that woke another and went to sleep between two looks is seen.
    /// </summary>
    public static bool IsIdle()
    {
        var completed = ThreadPool.CompletedWorkItemCount;
        return LooksIdle() && LooksIdle() && ThreadPool.CompletedWorkItemCount == completed;
    }

    /// <summary>Counts the calling pool thread out of <see cref="IsIdle"/> elsewhere than on Linux, until disposed.</summary>
    public static IDisposable DrivingOnThisThread()
    {
        if (!Thread.CurrentThread.IsThreadPoolThread)
        {
            return NoDrive.Instance;
        }

        Interlocked.Increment(ref s_drivesOnPoolThreads);
        return new PoolDrive();
    }

    /// <summary>What the pool is doing, for a failure message.</summary>
    public static string Describe()
    {
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        ThreadPool.GetAvailableThreads(out var availableWorkers, out _);
        return $"thread pool: {ThreadPool.PendingWorkItemCount} item(s) queued, {maxWorkers - availableWorkers} of {ThreadPool.ThreadCount} worker(s) busy";
    }

    private static bool LooksIdle()
    {
        // The queue first: queueing an item wakes a worker before it returns, so an item queued after this read shows up
        // as a worker awake in the next.
        return ThreadPool.PendingWorkItemCount == 0 && (OperatingSystem.IsLinux() ? WorkersAsleep() : NoWorkerBusy());
    }

    private static bool NoWorkerBusy()
    {
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        ThreadPool.GetAvailableThreads(out var availableWorkers, out _);
        return maxWorkers - availableWorkers - Volatile.Read(ref s_drivesOnPoolThreads) <= 0;
    }

    private static bool WorkersAsleep()
    {
        var self = CurrentThreadId();
        Span<byte> stat = stackalloc byte[128];
        foreach (var directory in Directory.EnumerateDirectories(Tasks))
        {
            var name = Path.GetFileName(directory.AsSpan());
            if (int.TryParse(name, out var id) && id == self)
            {
                continue;
            }

            int length;
            try
            {
                using SafeFileHandle handle = File.OpenHandle(Path.Join(directory, "stat"));
                length = RandomAccess.Read(handle, stat, 0);
            }
            catch (IOException)
            {
                // The thread ended since the directory was listed: it runs nothing.
                continue;
            }

            // "<id> (<name>) <state> ...": R is running or waiting for a CPU, D is in an uninterruptible wait.
            var line = stat[..length];
            var close = line.LastIndexOf((byte)')');
            var open = line.IndexOf((byte)'(');
            if (open < 0 || close < 0 || close + 2 >= length || !line[open..(close + 1)].SequenceEqual(WorkerName))
            {
                continue;
            }

            if (line[close + 2] is (byte)'R' or (byte)'D')
            {
                return false;
            }
        }

        return true;
    }

    private static int CurrentThreadId()
    {
        if (t_threadId == 0)
        {
            // "/proc/thread-self" links to "<process id>/task/<thread id>".
            var target = new FileInfo("/proc/thread-self").LinkTarget ?? string.Empty;
            t_threadId = int.Parse(target.AsSpan(target.LastIndexOf('/') + 1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return t_threadId;
    }

    private sealed class PoolDrive : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref s_drivesOnPoolThreads);
            }
        }
    }

    private sealed class NoDrive : IDisposable
    {
        public static readonly NoDrive Instance = new();

        public void Dispose()
        {
        }
    }
}
