using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Cost;

public class CostLedgerTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 3, 2, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromHours(1);

    private static NanoBananaResult Paid(decimal usd) => NanoBananaModelFactory.NanoBananaResult(
        [NanoBananaModelFactory.GeneratedImage(new byte[] { 1 })], Harness.Nb2, estimatedCostUsd: usd);

    [Fact]
    public void GetSpentInPeriodUsd_SpendWithinAMinute_AgesOutWithTheLatestCallNeverEarlier()
    {
        var time = new FakeTimeProvider(Start);
        var ledger = new CostLedger(Period, time, new ModelKeys([Harness.Nb2]));

        ledger.Settle(Harness.Nb2, null, 0m, learning: false, Paid(1m));
        time.Advance(TimeSpan.FromSeconds(30));
        ledger.Settle(Harness.Nb2, null, 0m, learning: false, Paid(2m)); // held with the first: one entry for the minute
        time.Advance(TimeSpan.FromSeconds(60));
        ledger.Settle(Harness.Nb2, null, 0m, learning: false, Paid(4m)); // a new minute, a new entry

        time.SetUtcNow(Start + Period);
        Assert.Equal(7m, ledger.GetSpentInPeriodUsd()); // the first call's hour is over, but its minute is not

        time.SetUtcNow(Start + TimeSpan.FromSeconds(30) + Period);
        Assert.Equal(4m, ledger.GetSpentInPeriodUsd());

        time.SetUtcNow(Start + TimeSpan.FromSeconds(90) + Period);
        Assert.Equal(0m, ledger.GetSpentInPeriodUsd());
    }

    [Fact]
    public void TryReserve_WindowFull_SaysWhenTheMinuteHoldingTheSpendAgesOut()
    {
        var time = new FakeTimeProvider(Start);
        var ledger = new CostLedger(Period, time, new ModelKeys([Harness.Nb2]));
        ledger.Settle(Harness.Nb2, null, 0m, learning: false, Paid(1m));
        time.Advance(TimeSpan.FromSeconds(20));
        ledger.Settle(Harness.Nb2, null, 0m, learning: false, Paid(1m));

        var refused = ledger.TryReserve(Harness.Nb2, null, 1m, limit: 2m);

        Assert.False(refused.Reserved);
        Assert.Equal(Start + TimeSpan.FromSeconds(20) + Period, refused.FitsAt);
        Assert.True(ledger.TryReserve(Harness.Nb2, null, 1m, limit: 3m).Reserved);
    }
}
