namespace NanoBananaResilience;

/// <summary>
/// The running account of one engine: totals per model, the highest price each model was billed per image, and the
/// spend inside the rolling budget window with the worst-case price of calls in flight held as reservations. One
/// lock guards it all, so checking a budget and reserving against it is a single step: two concurrent calls cannot
/// both take the last of it. Rows are per route — a model's key through <see cref="ModelKeys"/> (caller-chosen model ids
/// share the overflow row past the cap) and the gateway's configured name — so each gateway's price is learned apart.
/// </summary>
internal sealed class CostLedger(TimeSpan period, TimeProvider timeProvider, ModelKeys keys) : INanoBananaCostMeter
{
    private readonly object _lock = new();
    private readonly Dictionary<(string Model, string? Gateway), Row> _rows = [];
    // Spend booked within a minute is held as one entry, which ages out with the latest of its calls (never early):
    // the window keeps at most one entry per minute of its period, however many calls a busy process makes.
    private static readonly TimeSpan Coalesce = TimeSpan.FromMinutes(1);
    private readonly Queue<(DateTimeOffset At, decimal Usd)> _window = new();
    private (DateTimeOffset Opened, DateTimeOffset At, decimal Usd)? _open;
    private decimal _windowSum;
    private decimal _reserved;

    /// <summary>The clock the window is read on.</summary>
    public TimeProvider TimeProvider => timeProvider;

    public IReadOnlyList<ModelCostTotal> GetTotals()
    {
        lock (_lock)
        {
            return [.. _rows.Where(r => r.Value.Calls > 0).Select(r => new ModelCostTotal(r.Key.Model, r.Value.Calls, r.Value.Images, r.Value.CostUsd, r.Value.Unpriced, r.Key.Gateway))];
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
    /// What one image of <paramref name="modelId"/> is held at: the configured price, or the highest the model has
    /// been billed per image (the gateway's <c>usage.cost</c>) if that is more.
    /// </summary>
    public decimal PriceOf(string modelId, string? gateway, decimal configured)
    {
        lock (_lock)
        {
            return Price(RowOf(modelId, gateway), configured);
        }
    }

    /// <summary>
    /// Holds one image of <paramref name="modelId"/> (at <see cref="PriceOf"/>) against the period limit if it fits;
    /// otherwise says when enough of the window's spend will have aged out for it to fit (null when it never will by
    /// ageing alone). Under a limit, a model that has not been billed yet runs one call at a time: its first answer
    /// may cost more than the configured price, and only one call may find that out past the limit. While that call
    /// runs, the result is a task to wait on before asking again.
    /// </summary>
    public ReserveResult TryReserve(string modelId, string? gateway, decimal configured, decimal? limit)
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            Prune(now);
            var row = RowOf(modelId, gateway);
            var usd = Price(row, configured);
            if (limit is { } max && _windowSum + _reserved + usd > max)
            {
                return new ReserveResult(usd, Reserved: false, Learning: false, WhenFits(usd, max), null);
            }

            var learning = limit is not null && !row.Billed;
            if (learning && row.Learner is { } learner)
            {
                return new ReserveResult(usd, Reserved: false, Learning: false, null, learner.Task);
            }

            if (learning)
            {
                row.Learner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _reserved += usd;
            return new ReserveResult(usd, Reserved: true, learning, null, null);
        }
    }

    /// <summary>Whether the gateway has billed <paramref name="modelId"/> in this process, so its price here is what the gateway charges.</summary>
    public bool IsBilled(string modelId, string? gateway)
    {
        lock (_lock)
        {
            return RowOf(modelId, gateway).Billed;
        }
    }

    /// <summary>
    /// Counts a price held elsewhere (in the shared store) as in flight here too, so <see cref="GetSpentInPeriodUsd"/>
    /// shows it; <see cref="Settle"/> releases it as any reservation.
    /// </summary>
    public void Hold(decimal usd)
    {
        lock (_lock)
        {
            _reserved += usd;
        }
    }

    /// <summary>
    /// Releases a reservation and books what the call really cost (nothing for a call that failed). A call that was
    /// learning its model's price lets the next waiting call in, whatever its outcome.
    /// </summary>
    public void Settle(string modelId, string? gateway, decimal reserved, bool learning, NanoBananaResult? result)
    {
        TaskCompletionSource? learner = null;
        lock (_lock)
        {
            _reserved -= reserved;
            var row = RowOf(modelId, gateway);
            if (learning)
            {
                learner = row.Learner;
                row.Learner = null;
            }

            if (result is not null)
            {
                Book(row, result);
            }
        }

        learner?.TrySetResult();
    }

    private Row RowOf(string modelId, string? gateway)
    {
        var key = (keys.Admit(modelId), gateway);
        if (!_rows.TryGetValue(key, out var row))
        {
            row = new Row();
            _rows[key] = row;
        }

        return row;
    }

    private static decimal Price(Row row, decimal configured) => row.HighestPerImage > configured ? row.HighestPerImage : configured;

    private void Book(Row row, NanoBananaResult result)
    {
        var cost = result.EstimatedCostUsd;
        row.Calls++;
        row.Images += result.Images.Count;
        row.CostUsd += cost ?? 0m;
        row.Unpriced += cost is null ? 1 : 0;
        if (cost is { } billed)
        {
            row.Billed = true;
            var perImage = billed / Math.Max(1, result.Images.Count);
            row.HighestPerImage = Math.Max(row.HighestPerImage, perImage);
        }

        if (cost is > 0m)
        {
            Book(timeProvider.GetUtcNow(), cost.Value);
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

    /// <summary>One route's totals and what it has been billed; mutated only under the ledger's lock.</summary>
    private sealed class Row
    {
        public long Calls { get; set; }

        public long Images { get; set; }

        public decimal CostUsd { get; set; }

        public long Unpriced { get; set; }

        /// <summary>A call of this model has been billed, so <see cref="HighestPerImage"/> holds what the gateway charges.</summary>
        public bool Billed { get; set; }

        public decimal HighestPerImage { get; set; }

        /// <summary>Completed when the call learning this model's price ends; null while none runs.</summary>
        public TaskCompletionSource? Learner { get; set; }
    }
}

/// <summary>
/// The ledger's answer to a reservation: held at <paramref name="Price"/>; or refused, fitting again at
/// <paramref name="FitsAt"/>; or to be asked again once <paramref name="WaitFor"/> completes.
/// </summary>
internal readonly record struct ReserveResult(decimal Price, bool Reserved, bool Learning, DateTimeOffset? FitsAt, Task? WaitFor);
