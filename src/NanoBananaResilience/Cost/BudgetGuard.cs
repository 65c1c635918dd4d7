using System.Globalization;

namespace NanoBananaResilience;

/// <summary>
/// Decides, before a model is tried, whether its worst-case price fits the budget, and holds that price against
/// the period limit while the model runs. A model's attempts can bill at most one image set (only a success is
/// charged, and a success ends the call), so one reservation covers all of them.
/// </summary>
internal sealed class BudgetGuard(BudgetOptions budget, CostLedger ledger)
{
    /// <summary>Returns a reservation to settle when the model is done, or null with the reason it was refused.</summary>
    public BudgetReservation? TryReserve(ModelOptions model, NanoBananaRequest request, out string? refusal)
    {
        refusal = null;
        if (!budget.IsEnabled)
        {
            return new BudgetReservation(ledger, 0m);
        }

        if (Pricing.PricePerImage(model, model.Id, request.Size) is not { } price)
        {
            refusal = $"no price is known for {model.Id}, so its cost cannot be held within the budget; set NanoBanana:Models:N:Prices or PricePerImageUsd for it; no request sent";
            return null;
        }

        if (budget.MaxUsdPerCall is { } perCall && price > perCall)
        {
            refusal = string.Create(CultureInfo.InvariantCulture, $"an image costs {price} USD, more than NanoBanana:Budget:MaxUsdPerCall ({perCall} USD); no request sent");
            return null;
        }

        if (!ledger.TryReserve(price, budget.MaxUsdPerPeriod, out var fitsAt))
        {
            var when = fitsAt is { } at ? string.Create(CultureInfo.InvariantCulture, $"; it fits again from {at:yyyy-MM-dd HH:mm:ss} UTC") : string.Empty;
            refusal = string.Create(CultureInfo.InvariantCulture, $"an image costs {price} USD, which would pass NanoBanana:Budget:MaxUsdPerPeriod ({budget.MaxUsdPerPeriod} USD per {budget.Period}){when}; no request sent");
            return null;
        }

        return new BudgetReservation(ledger, price);
    }
}
