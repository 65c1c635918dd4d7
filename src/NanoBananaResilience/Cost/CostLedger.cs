namespace NanoBananaResilience;

/// <summary>
/// The running account of one engine: totals per model, and the spend inside the rolling budget window with
/// the worst-case price of calls in flight held as reservations. One lock guards it all, so checking a budget
/// and reserving against it is a single step: two concurrent calls cannot both take the last of it. Rows are keyed
/// through <see cref="ModelKeys"/>, so caller-chosen model ids share the overflow row past the cap.
/// </summary>
internal sealed class CostLedger(TimeSpan period, TimeProvider timeProvider, ModelKeys keys) : INanoBananaCostMeter
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Total> _totals = new(StringComparer.Ordinal);
    // Spend booked within a minute is held as one entry, which ages out with the latest of its calls (never early):
    // the window keeps at most one entry per minute of its period, however many calls a busy process makes.
    private static readonly TimeSpan Coalesce = TimeSpan.FromMinutes(1);
    private readonly Queue<(DateTimeOffset At, decimal Usd)> _window = new();
    private (DateTimeOffset Opened, DateTimeOffset At, decimal Usd)? _open;
    private decimal _windowSum;
    private decimal _reserved;

    public IReadOnlyList<ModelCostTotal> GetTotals()
    {
        lock (_lock)
        {
            return [.. _totals.Select(t => new ModelCostTotal(t.Key, t.Value.Calls, t.Value.Images, t.Value.CostUsd, t.Value.Unpriced))];
        }
    }

    public decimal GetSpentInPeriodUsd()
    {
        lock (_lock)
        {
            Prune(timeProvider.GetUtcNow());
            return _windowSum + _reserved;
        }
    }

    /// <summary>
    /// Holds <paramref name="usd"/> against the period limit if it fits; otherwise says when enough of the window's
    /// spend will have aged out for it to fit (null when it never will by ageing alone).
    /// </summary>
    public bool TryReserve(decimal usd, decimal? limit, out DateTimeOffset? fitsAt)
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            Prune(now);
            fitsAt = null;
            if (limit is { } max && _windowSum + _reserved + usd > max)
            {
                fitsAt = WhenFits(usd, max);
                return false;
            }

            _reserved += usd;
            return true;
        }
    }

    /// <summary>Releases a reservation and books what the call really cost (nothing for a call that failed).</summary>
    public void Settle(decimal reserved, NanoBananaResult? result)
    {
        lock (_lock)
        {
            _reserved -= reserved;
            if (result is null)
            {
                return;
            }

            var key = keys.Admit(result.Model);
            var total = _totals.TryGetValue(key, out var existing) ? existing : default;
            var cost = result.EstimatedCostUsd;
            _totals[key] = new Total(total.Calls + 1, total.Images + result.Images.Count, total.CostUsd + (cost ?? 0m), total.Unpriced + (cost is null ? 1 : 0));
            if (cost is > 0m)
            {
                Book(timeProvider.GetUtcNow(), cost.Value);
            }
        }
    }

    private void Book(DateTimeOffset now, decimal usd)
    {
        _windowSum += usd;
        if (_open is { } open && now - open.Opened < Coalesce)
        {
            _open = (open.Opened, now, open.Usd + usd);
            return;
        }

        if (_open is { } full)
        {
            _window.Enqueue((full.At, full.Usd));
        }

        _open = (now, now, usd);
    }

    private void Prune(DateTimeOffset now)
    {
        while (_window.TryPeek(out var oldest) && oldest.At <= now - period)
        {
            _windowSum -= _window.Dequeue().Usd;
        }

        if (_window.Count == 0 && _open is { } open && open.At <= now - period)
        {
            _windowSum -= open.Usd;
            _open = null;
        }
    }

    /// <summary>The booked spend, oldest first.</summary>
    private IEnumerable<(DateTimeOffset At, decimal Usd)> Entries()
        => _open is { } open ? _window.Append((open.At, open.Usd)) : _window;

    private DateTimeOffset? WhenFits(decimal usd, decimal max)
    {
        // Reservations leave when their calls end, not with time; only booked spend ages out.
        var over = _windowSum + _reserved + usd - max;
        if (usd + _reserved > max)
        {
            return null;
        }

        foreach (var (at, spent) in Entries())
        {
            over -= spent;
            if (over <= 0m)
            {
                return at + period;
            }
        }

        return null;
    }

    private readonly record struct Total(long Calls, long Images, decimal CostUsd, long Unpriced);
}
