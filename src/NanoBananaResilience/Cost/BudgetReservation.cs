namespace NanoBananaResilience;

/// <summary>
/// The worst-case price held for one model's run. <see cref="Settle"/> books the real cost of a success; disposing
/// without it (a failure, a move to the next model, an exception) releases the hold and books nothing. Either way a
/// run that was learning the model's price lets the next call in.
/// </summary>
internal sealed class BudgetReservation(CostLedger ledger, string modelId, decimal reserved, bool learning) : IDisposable
{
    private bool _settled;

    public void Settle(NanoBananaResult result)
    {
        if (!_settled)
        {
            _settled = true;
            ledger.Settle(modelId, reserved, learning, result);
        }
    }

    public void Dispose()
    {
        if (!_settled)
        {
            _settled = true;
            ledger.Settle(modelId, reserved, learning, null);
        }
    }
}
