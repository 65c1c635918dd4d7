namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>The cost meter of a fake client: nothing spent.</summary>
internal sealed class NoCosts : INanoBananaCostMeter
{
    public static NoCosts Instance { get; } = new();

    public decimal GetSpentInPeriodUsd() => 0m;

    public IReadOnlyList<ModelCostTotal> GetTotals() => [];
}
