namespace NanoBananaResilience;

/// <summary>
/// The worst-case price held for one model's run. <see cref="Settle"/> books the real cost of a success; disposing
/// without it (a failure, a move to the next model, an exception) releases the hold and books nothing. Either way a
/// run that was learning the model's price lets the next call in, and a hold in the shared store is ended there too.
/// </summary>
internal sealed class BudgetReservation(CostLedger ledger, string modelId, string? gateway, decimal reserved, bool learning, INanoBananaSharedState? fleet = null, SharedBudgetReservation? fleetHold = null) : IDisposable
{
    private bool _settled;

    public void Settle(NanoBananaResult result)
    {
        if (!_settled)
        {
            _settled = true;
            ledger.Settle(modelId, gateway, reserved, learning, result);
            if (fleetHold is not null)
            {
                var cost = result.EstimatedCostUsd;
                fleet!.Settle(fleetHold, cost, cost / Math.Max(1, result.Images.Count));
            }
        }
    }

    public void Dispose()
    {
        if (!_settled)
        {
            _settled = true;
            ledger.Settle(modelId, gateway, reserved, learning, null);
            if (fleetHold is not null)
            {
                fleet!.Settle(fleetHold, null, null);
            }
        }
    }
}
