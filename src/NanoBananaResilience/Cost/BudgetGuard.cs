using System.Globalization;

namespace NanoBananaResilience;

/// <summary>
/// Decides, before a model is tried, whether its worst-case price fits the budget, and holds that price against
/// the period limit while the model runs. A model's attempts can bill at most one image set (only a success is
/// charged, and a success ends the call), so one reservation covers all of them. The price held is the configured
/// one, or the highest the gateway has billed the model per image if that is more. With state shared across
/// processes (<see cref="INanoBananaSharedState"/>), the period limit is held in the shared store, for every process
/// at once; this process's ledger keeps its own totals either way.
/// </summary>
internal sealed class BudgetGuard(BudgetOptions budget, CostLedger ledger, INanoBananaSharedState? shared = null)
{
    /// <summary>How long to wait before asking again while another process learns a model's price, at first and at most.</summary>
    private static readonly TimeSpan FirstLearnerPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestLearnerPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Returns a reservation to settle when the model is done, or null with the reason it was refused. Waits while
    /// another call is learning what the gateway charges for the model (see <see cref="CostLedger.TryReserve"/>).
    /// </summary>
    public async ValueTask<(BudgetReservation? Reservation, string? Refusal)> ReserveAsync(ModelOptions model, string? gateway, NanoBananaRequest request, CancellationToken cancellationToken)
    {
        if (!budget.IsEnabled)
        {
            return (new BudgetReservation(ledger, model.Id, gateway, 0m, learning: false), null);
        }

        if (Pricing.PricePerImage(model, model.Id, request.Size) is not { } configured)
        {
            return (null, $"no price is known for {model.Id}, so its cost cannot be held within the budget; set NanoBanana:Models:N:Prices or PricePerImageUsd for it; no request sent");
        }

        if (shared is not null && budget.MaxUsdPerPeriod is { } fleetLimit)
        {
            return await ReserveSharedAsync(model, gateway, configured, fleetLimit, shared, cancellationToken).ConfigureAwait(false);
        }

        return await ReserveLocalAsync(model, gateway, configured, budget.MaxUsdPerPeriod, string.Empty, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Holds the price in this process's ledger. <paramref name="fleet"/> and <paramref name="unavailable"/> are set when
    /// the shared store did not answer (fail open): the run's cost is still reported to the shared state, which
    /// writes it back when the store answers again.
    /// </summary>
    private async ValueTask<(BudgetReservation? Reservation, string? Refusal)> ReserveLocalAsync(ModelOptions model, string? gateway, decimal configured, decimal? limit, string scope, CancellationToken cancellationToken, INanoBananaSharedState? fleet = null, SharedBudgetReservation? unavailable = null)
    {
        while (true)
        {
            if (PerCallRefusal(model, gateway, configured) is { } refusal)
            {
                return (null, refusal);
            }

            var held = ledger.TryReserve(model.Id, gateway, configured, limit);
            if (held.Reserved)
            {
                return (new BudgetReservation(ledger, model.Id, gateway, held.Price, held.Learning, fleet, unavailable), null);
            }

            if (held.WaitFor is { } learner)
            {
                await learner.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var when = held.FitsAt is { } at ? string.Create(CultureInfo.InvariantCulture, $"; it fits again from {at:yyyy-MM-dd HH:mm:ss} UTC") : string.Empty;
            return (null, string.Create(CultureInfo.InvariantCulture, $"an image costs {held.Price} USD, which would pass NanoBanana:Budget:MaxUsdPerPeriod ({budget.MaxUsdPerPeriod} USD per {budget.Period}){scope}{when}; no request sent"));
        }
    }

    /// <summary>
    /// Holds the price in the shared store, against what every process sharing it has booked and holds. While the
    /// store is away the state's fail mode decides: refuse (fail closed), or hold against this process's share of the
    /// limit in its own ledger (fail open).
    /// </summary>
    private async ValueTask<(BudgetReservation? Reservation, string? Refusal)> ReserveSharedAsync(ModelOptions model, string? gateway, decimal configured, decimal limit, INanoBananaSharedState fleet, CancellationToken cancellationToken)
    {
        var poll = FirstLearnerPoll;
        while (true)
        {
            if (PerCallRefusal(model, gateway, configured) is { } refusal)
            {
                return (null, refusal);
            }

            var price = ledger.PriceOf(model.Id, gateway, configured);
            var answer = await fleet.ReserveAsync(Route.NameOf(model.Id, gateway), price, ledger.IsBilled(model.Id, gateway), limit, cancellationToken).ConfigureAwait(false);
            switch (answer.Status)
            {
                case SharedBudgetStatus.Reserved:
                    ledger.Hold(answer.PriceUsd);
                    return (new BudgetReservation(ledger, model.Id, gateway, answer.PriceUsd, learning: false, fleet, answer), null);
                case SharedBudgetStatus.Wait:
                    // Another process is paying the model's first call; its answer tells every process the price.
                    await Task.Delay(poll, ledger.TimeProvider, cancellationToken).ConfigureAwait(false);
                    poll = poll * 2 < LongestLearnerPoll ? poll * 2 : LongestLearnerPoll;
                    continue;
                case SharedBudgetStatus.Refused:
                    var when = answer.FitsAt is { } at ? string.Create(CultureInfo.InvariantCulture, $"; it fits again from {at:yyyy-MM-dd HH:mm:ss} UTC") : string.Empty;
                    return (null, string.Create(CultureInfo.InvariantCulture, $"an image costs {answer.PriceUsd} USD, which would pass NanoBanana:Budget:MaxUsdPerPeriod ({limit} USD per {budget.Period}) shared by every process{when}; no request sent"));
                default:
                    if (answer.LocalShare is { } share)
                    {
                        var scope = string.Create(CultureInfo.InvariantCulture, $"; the shared budget store did not answer, so this process spends on its own up to {share:0.###} of the limit ({limit * share} USD, fail open)");
                        return await ReserveLocalAsync(model, gateway, configured, limit * share, scope, cancellationToken, fleet, answer).ConfigureAwait(false);
                    }

                    return (null, "the shared budget store did not answer, and the budget fails closed: paid requests wait for it to answer again; no request sent");
            }
        }
    }

    private string? PerCallRefusal(ModelOptions model, string? gateway, decimal configured)
    {
        var price = ledger.PriceOf(model.Id, gateway, configured);
        return budget.MaxUsdPerCall is { } perCall && price > perCall
            ? string.Create(CultureInfo.InvariantCulture, $"an image costs {price} USD, more than NanoBanana:Budget:MaxUsdPerCall ({perCall} USD); no request sent")
            : null;
    }
}
