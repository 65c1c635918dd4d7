namespace NanoBananaResilience;

/// <summary>
/// State that one client configuration shares with the same configuration in other processes: each model's health
/// (breaker trips, server cooldowns, recoveries, probe slots) and the period budget. The client works on its own
/// state without one; <c>NanoBananaResilience.Redis</c> provides one over Redis.
/// </summary>
/// <remarks>
/// An implementation must never make a call fail because its store is away: every member returns within a bounded
/// time, and reports the store's absence through its return value (a health operation then does nothing, a budget
/// reservation answers <see cref="SharedBudgetStatus.Unavailable"/>). Members are called from any thread.
/// </remarks>
public interface INanoBananaSharedState
{
    /// <summary>
    /// Joins one model's shared health. The client calls it once per model it keeps health for, and reports its own
    /// changes through the returned object; changes made by other processes arrive through <paramref name="apply"/>.
    /// Returns without waiting for the store: the fleet's current view is read in the background and applied through
    /// <paramref name="apply"/>, and <see cref="INanoBananaSharedModelHealth.Ready"/> completes when it has been.
    /// </summary>
    /// <param name="modelId">The model id, as configured.</param>
    /// <param name="apply">Receives the fleet's view of the model whenever another process changes it.</param>
    /// <returns>The model's link to the fleet.</returns>
    INanoBananaSharedModelHealth JoinHealth(string modelId, Action<SharedModelHealth> apply);

    /// <summary>
    /// Holds <paramref name="priceUsd"/> against the fleet's spend within the budget period, atomically: concurrent
    /// reservations from every process together never pass <paramref name="limitUsd"/>.
    /// </summary>
    /// <param name="modelId">The model about to run.</param>
    /// <param name="priceUsd">The worst-case price of its run, in US dollars.</param>
    /// <param name="priceLearned">Whether this process has already been billed for the model (so the price is what the gateway charges).</param>
    /// <param name="limitUsd">The period limit, <c>Budget:MaxUsdPerPeriod</c>.</param>
    /// <param name="cancellationToken">Cancels the reservation.</param>
    /// <returns>The fleet's decision.</returns>
    ValueTask<SharedBudgetReservation> ReserveAsync(string modelId, decimal priceUsd, bool priceLearned, decimal limitUsd, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a reservation that <see cref="ReserveAsync"/> granted: books what the run cost (nothing for a failure) and
    /// releases the hold. Returns at once; the store is updated in the background, and again when it comes back if it
    /// was away.
    /// </summary>
    /// <param name="reservation">The reservation, with <see cref="SharedBudgetReservation.Status"/> <see cref="SharedBudgetStatus.Reserved"/>.</param>
    /// <param name="costUsd">What the run was billed, or <see langword="null"/> when it was not.</param>
    /// <param name="perImageUsd">What one image of the model was billed, or <see langword="null"/> when unknown.</param>
    void Settle(SharedBudgetReservation reservation, decimal? costUsd, decimal? perImageUsd);
}
