using System.Globalization;

namespace NanoBananaResilience;

/// <summary>
/// Decides, before a model is tried, whether its worst-case price fits the budget, and holds that price against
/// the period limit while the model runs. A model's attempts can bill at most one image set (only a success is
/// charged, and a success ends the call), so one reservation covers all of them. The price held is the configured
/// one, or the highest the gateway has billed the model per image if that is more.
/// </summary>
internal sealed class BudgetGuard(BudgetOptions budget, CostLedger ledger)
{
    /// <summary>
    /// Returns a reservation to settle when the model is done, or null with the reason it was refused. Waits while
    /// another call is learning what the gateway charges for the model (see <see cref="CostLedger.TryReserve"/>).
    /// </summary>
    public async ValueTask<(BudgetReservation? Reservation, string? Refusal)> ReserveAsync(ModelOptions model, NanoBananaRequest request, CancellationToken cancellationToken)
    {
        if (!budget.IsEnabled)
        {
            return (new BudgetReservation(ledger, model.Id, 0m, learning: false), null);
        }

        if (Pricing.PricePerImage(model, model.Id, request.Size) is not { } configured)
        {
            return (null, $"no price is known for {model.Id}, so its cost cannot be held within the budget; set NanoBanana:Models:N:Prices or PricePerImageUsd for it; no request sent");
        }

        while (true)
        {
            var price = ledger.PriceOf(model.Id, configured);
            if (budget.MaxUsdPerCall is { } perCall && price > perCall)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"an image costs {price} USD, more than NanoBanana:Budget:MaxUsdPerCall ({perCall} USD); no request sent"));
            }

            var held = ledger.TryReserve(model.Id, configured, budget.MaxUsdPerPeriod);
            if (held.Reserved)
            {
                return (new BudgetReservation(ledger, model.Id, held.Price, held.Learning), null);
            }

            if (held.WaitFor is { } learner)
            {
                await learner.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var when = held.FitsAt is { } at ? string.Create(CultureInfo.InvariantCulture, $"; it fits again from {at:yyyy-MM-dd HH:mm:ss} UTC") : string.Empty;
            return (null, string.Create(CultureInfo.InvariantCulture, $"an image costs {held.Price} USD, which would pass NanoBanana:Budget:MaxUsdPerPeriod ({budget.MaxUsdPerPeriod} USD per {budget.Period}){when}; no request sent"));
        }
    }
}
