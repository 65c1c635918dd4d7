namespace NanoBananaResilience;

/// <summary>
/// The worst-case price held for one model's run. <see cref="Settle"/> books the real cost of a success; disposing
/// without it (a failure, a move to the next model, an exception) releases the hold and books nothing.
/// </summary>
internal sealed class BudgetReservation(CostLedger ledger, decimal reserved) : IDisposable
{
    private bool _settled;

    public void Settle(NanoBananaResult result)
    {
        if (!_settled)
        {
            _settled = true;
            ledger.Settle(reserved, result);
        }
    }

    public void Dispose()
    {
        if (!_settled)
        {
            _settled = true;
            ledger.Settle(reserved, null);
        }
    }
}
