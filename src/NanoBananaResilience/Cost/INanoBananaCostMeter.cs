namespace NanoBananaResilience;

/// <summary>
/// What successful calls have cost, per model, since the client's configuration was created. Resolve it from
/// dependency injection, or read <see cref="NanoBananaClient.Costs"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Each call counts at its <see cref="NanoBananaResult.EstimatedCostUsd"/>: the endpoint's reported cost when it
/// gives one, else the configured or list price. The same figures feed the <c>nanobanana.cost</c> metric.
/// </remarks>
public interface INanoBananaCostMeter
{
    /// <summary>Gets the totals per model, one entry per model that has served an image, in no particular order.</summary>
    /// <returns>A snapshot of the totals.</returns>
    IReadOnlyList<ModelCostTotal> GetTotals();

    /// <summary>
    /// Gets what calls cost within the last <see cref="BudgetOptions.Period"/>, calls still in flight counted at
    /// their worst-case price: the figure <see cref="BudgetOptions.MaxUsdPerPeriod"/> is checked against.
    /// </summary>
    /// <returns>The spend in US dollars.</returns>
    decimal GetSpentInPeriodUsd();
}
