namespace NanoBananaResilience.Tests.Batch;

public sealed class AdaptiveConcurrencyTests
{
    private static readonly AttemptRecord[] Clean = [Attempt(AttemptOutcome.Success)];
    private static readonly AttemptRecord[] Overloaded = [Attempt(AttemptOutcome.Overloaded), Attempt(AttemptOutcome.Success)];

    [Fact]
    public void Observe_OverloadBurst_HalvesOncePerBurst()
    {
        var concurrency = new AdaptiveConcurrency(1, 16, enabled: true);
        var burst = concurrency.Epoch;

        concurrency.Observe(Overloaded, burst);
        concurrency.Observe(Overloaded, burst); // started before the cut: the same burst
        Assert.Equal(8, concurrency.Limit);

        concurrency.Observe(Overloaded, concurrency.Epoch);
        Assert.Equal(4, concurrency.Limit);
    }

    [Fact]
    public void Observe_CleanItemsAfterACut_GrowBackByOnePerRoundToTheMaximum()
    {
        var concurrency = new AdaptiveConcurrency(1, 16, enabled: true);
        concurrency.Observe(Overloaded, concurrency.Epoch);
        concurrency.Observe(Overloaded, concurrency.Epoch);
        Assert.Equal(4, concurrency.Limit);

        for (var i = 0; i < 4; i++)
        {
            concurrency.Observe(Clean, concurrency.Epoch);
        }

        Assert.Equal(5, concurrency.Limit);
        for (var i = 0; i < 200; i++)
        {
            concurrency.Observe(Clean, concurrency.Epoch);
        }

        Assert.Equal(16, concurrency.Limit);
    }

    [Fact]
    public void Observe_RepeatedBursts_NeverBelowTheMinimum()
    {
        var concurrency = new AdaptiveConcurrency(2, 16, enabled: true);

        for (var i = 0; i < 10; i++)
        {
            concurrency.Observe(Overloaded, concurrency.Epoch);
        }

        Assert.Equal(2, concurrency.Limit);
    }

    [Theory]
    [InlineData(AttemptOutcome.RateLimited, 8)]
    [InlineData(AttemptOutcome.Timeout, 8)]
    [InlineData(AttemptOutcome.CircuitOpen, 16)]
    [InlineData(AttemptOutcome.ServerError, 16)]
    public void Observe_Outcome_CutsOnlyForSignalsThatFewerRequestsHelp(AttemptOutcome outcome, int expected)
    {
        var concurrency = new AdaptiveConcurrency(1, 16, enabled: true);

        concurrency.Observe([Attempt(outcome), Attempt(AttemptOutcome.Success)], concurrency.Epoch);

        Assert.Equal(expected, concurrency.Limit);
    }

    [Fact]
    public void Observe_Disabled_KeepsTheMaximum()
    {
        var concurrency = new AdaptiveConcurrency(1, 16, enabled: false);

        concurrency.Observe(Overloaded, concurrency.Epoch);

        Assert.Equal(16, concurrency.Limit);
    }

    private static AttemptRecord Attempt(AttemptOutcome outcome)
        => new(NanoBananaModels.NanoBanana2, outcome, null, null, TimeSpan.FromSeconds(1), TimeSpan.Zero, WaitReason.None, AttemptDecision.Retry, null);
}
