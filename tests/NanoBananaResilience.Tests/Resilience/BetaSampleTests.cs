namespace NanoBananaResilience.Tests.Resilience;

/// <summary>Beta draws from the caller's uniform source: the distribution's moments, and the edges a constant source or empty shapes reach.</summary>
public class BetaSampleTests
{
    [Theory]
    [InlineData(2, 8)]
    [InlineData(0.5, 0.5)]
    [InlineData(30, 10)]
    [InlineData(0.2, 3)]
    public void Draw_ManyTimes_MatchesTheMeanAndVarianceOfBeta(double a, double b)
    {
        var random = new Random(11);
        var draws = Enumerable.Range(0, 40_000).Select(_ => BetaSample.Draw(a, b, random.NextDouble)).ToList();

        var mean = a / (a + b);
        var variance = a * b / ((a + b) * (a + b) * (a + b + 1));
        Assert.All(draws, d => Assert.InRange(d, 0, 1));
        Assert.InRange(draws.Average(), mean - 0.01, mean + 0.01);
        Assert.InRange(draws.Average(d => (d - mean) * (d - mean)), variance * 0.9, variance * 1.1);
    }

    [Fact]
    public void Draw_ShapeOne_MatchesBetaClosely()
    {
        // Shape 1 is where Marsaglia and Tsang's method rejects most often (d = 2/3), so a skipped rejection or a
        // skewed normal shows first here: 200,000 draws of Beta(1, 9) pin the mean to a thousandth and the variance
        // to 3%, several times the sampling error of either.
        var random = new Random(17);
        var draws = Enumerable.Range(0, 200_000).Select(_ => BetaSample.Draw(1, 9, random.NextDouble)).ToList();

        Assert.InRange(draws.Average(), 0.1 - 0.001, 0.1 + 0.001);
        Assert.InRange(draws.Average(d => (d - 0.1) * (d - 0.1)), 0.9 / 110 * 0.97, 0.9 / 110 * 1.03);
    }

    [Fact]
    public void Draw_NoWeightEitherWay_AnEvenChanceRatherThanNaN()
    {
        // Both gamma variates of shape 0 are 0; 0 / 0 would poison every comparison downstream.
        var random = new Random(13);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0.5, BetaSample.Draw(0, 0, random.NextDouble)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999999)]
    public void Draw_ConstantSource_EndsWithAValueInRange(double constant)
    {
        var draw = BetaSample.Draw(3, 7, () => constant);

        Assert.InRange(draw, 0, 1);
    }
}
