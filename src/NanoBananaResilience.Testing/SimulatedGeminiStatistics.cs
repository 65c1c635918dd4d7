using System.Collections.Concurrent;

namespace NanoBananaResilience.Testing;

/// <summary>
/// Thread-safe counts of the requests a simulated gateway served, by model and outcome, and a bounded log of the
/// most recent ones.
/// </summary>
public sealed class SimulatedGeminiStatistics
{
    private readonly ConcurrentDictionary<(string Model, SimulatedOutcome Outcome), long> _counts = new();
    private readonly Queue<SimulatedRequestRecord> _log = new();
    private readonly int _logCapacity;
    private long _total;
    private long _canceled;

    internal SimulatedGeminiStatistics(int logCapacity) => _logCapacity = logCapacity;

    /// <summary>
    /// Gets the number of requests served, all models and outcomes together.
    /// </summary>
    public long TotalRequests => Interlocked.Read(ref _total);

    /// <summary>
    /// Gets the number of requests the caller cancelled before the simulated answer was ready.
    /// </summary>
    public long CanceledRequests => Interlocked.Read(ref _canceled);

    /// <summary>
    /// Returns how many requests matched a model and an outcome.
    /// </summary>
    /// <param name="model">A model id, or <see langword="null"/> for every model.</param>
    /// <param name="outcome">An outcome, or <see langword="null"/> for every outcome.</param>
    /// <returns>The number of matching requests.</returns>
    public long GetCount(string? model = null, SimulatedOutcome? outcome = null)
    {
        long sum = 0;
        foreach (var pair in _counts)
        {
            if ((model is null || string.Equals(pair.Key.Model, model, StringComparison.Ordinal)) &&
                (outcome is null || pair.Key.Outcome == outcome))
            {
                sum += pair.Value;
            }
        }

        return sum;
    }

    /// <summary>
    /// Returns a copy of the request log, oldest first. The log keeps at most
    /// <see cref="SimulatedGeminiOptions.RequestLogCapacity"/> entries.
    /// </summary>
    /// <returns>The most recent requests served.</returns>
    public IReadOnlyList<SimulatedRequestRecord> GetRecentRequests()
    {
        lock (_log)
        {
            return [.. _log];
        }
    }

    internal void Record(SimulatedRequestRecord record)
    {
        _counts.AddOrUpdate((record.Model, record.Outcome), 1, static (_, n) => n + 1);
        Interlocked.Increment(ref _total);
        if (record.Canceled)
        {
            Interlocked.Increment(ref _canceled);
        }

        if (_logCapacity == 0)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Count == _logCapacity)
            {
                _ = _log.Dequeue();
            }

            _log.Enqueue(record);
        }
    }
}
