namespace NanoBananaResilience.Tests.Resilience;

public class BackoffTests
{
    private static readonly RetryOptions Options = new() { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(4, 16)]
    public void Compute_Jitter_LiesBetweenHalfAndAllOfBaseTimesTwoToTheN(int retry, int seconds)
    {
        var full = TimeSpan.FromSeconds(seconds);

        Assert.Equal(full / 2, Backoff.Compute(Options, retry, () => 0.0));
        Assert.Equal(full * 0.75, Backoff.Compute(Options, retry, () => 0.5));
        Assert.Equal(full, Backoff.Compute(Options, retry, () => 1.0));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(1000)]
    public void Compute_LargeRetryIndex_IsCappedAtMaxDelay(int retry)
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Backoff.Compute(Options, retry, () => 1.0));
        Assert.Equal(TimeSpan.FromSeconds(15), Backoff.Compute(Options, retry, () => 0.0));
    }

    [Fact]
    public void Compute_WithoutJitter_IsExactAndIgnoresRandom()
    {
        var options = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(250), UseJitter = false };

        Assert.Equal(TimeSpan.FromMilliseconds(1000), Backoff.Compute(options, 2, () => throw new InvalidOperationException("no jitter")));
    }
}
