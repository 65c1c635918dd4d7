namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>
/// A fleet for health tests: records which routes join it, has read the fleet's view by the time they have joined
/// (or holds that read, when told), and answers the probe-slot claim as told (granted at once by default); budgets
/// are not its business. The routing tests' one double of the shared state.
/// </summary>
internal sealed class HealthOnlyFleet(Func<CancellationToken, ValueTask<bool>>? claim = null) : INanoBananaSharedState, INanoBananaSharedModelHealth
{
    private readonly TaskCompletionSource<bool> _pending = new();
    private readonly TaskCompletionSource _read = new();
    private Action<SharedModelHealth>? _apply;
    private bool _holdsTheRead;

    public List<string> Joined { get; } = [];

    /// <summary>A fleet whose claim stays unanswered until <see cref="Grant"/>.</summary>
    public static HealthOnlyFleet Pending()
    {
        HealthOnlyFleet? fleet = null;
        fleet = new HealthOnlyFleet(_ => new ValueTask<bool>(fleet!._pending.Task));
        return fleet;
    }

    /// <summary>A fleet whose claim sees the call end while it asks.</summary>
    public static HealthOnlyFleet Cancelled() => new(ValueTask.FromCanceled<bool>);

    /// <summary>A fleet whose first read of the model's view, started when the model joins, is under way until <see cref="FinishRead"/>.</summary>
    public static HealthOnlyFleet Reading() => new() { _holdsTheRead = true };

    public void Grant() => _pending.SetResult(true);

    public Task Ready => _holdsTheRead ? _read.Task : Task.CompletedTask;

    /// <summary>The first read comes back: the view it found (if any) goes to the last model that joined, then <see cref="Ready"/> completes.</summary>
    public void FinishRead(SharedModelHealth? found = null)
    {
        if (found is { } view)
        {
            _apply!(view);
        }

        _read.SetResult();
    }

    public INanoBananaSharedModelHealth JoinHealth(string modelId, Action<SharedModelHealth> apply)
    {
        Joined.Add(modelId);
        _apply = apply;
        return this;
    }

    public ValueTask<SharedBudgetReservation> ReserveAsync(string modelId, decimal priceUsd, bool priceLearned, decimal limitUsd, CancellationToken cancellationToken)
        => throw new NotSupportedException("health only");

    public void Settle(SharedBudgetReservation reservation, decimal? costUsd, decimal? perImageUsd) => throw new NotSupportedException("health only");

    public void Opened(DateTimeOffset until, int consecutiveTrips)
    {
    }

    public void Closed()
    {
    }

    public void CoolDown(DateTimeOffset until)
    {
    }

    public ValueTask<bool> TryClaimProbeAsync(DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken)
        => claim?.Invoke(cancellationToken) ?? new(true);

    public void Refresh(DateTimeOffset now)
    {
    }
}
