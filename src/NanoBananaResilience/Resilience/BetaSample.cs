namespace NanoBananaResilience;

/// <summary>
/// Draws from a Beta distribution with the caller's uniform source, so a seeded run draws the same: X / (X + Y) with
/// X ~ Gamma(a) and Y ~ Gamma(b), each by Marsaglia and Tsang's method (2000), normals by Box–Muller.
/// </summary>
internal static class BetaSample
{
    public static double Draw(double a, double b, Func<double> random)
    {
        var x = Gamma(a, random);
        var y = Gamma(b, random);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    private static double Gamma(double shape, Func<double> random)
    {
        if (shape < 1)
        {
            // Gamma(a) = Gamma(a + 1) · U^(1/a): the method itself needs a ≥ 1.
            return Gamma(shape + 1, random) * Math.Pow(Uniform(random), 1 / shape);
        }

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);

        // Each round accepts with probability above 0.95; the bound only matters for a source that is not random
        // (tests pass a constant), which would otherwise loop for ever; then a value near the median is returned.
        for (var round = 0; round < 64; round++)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = Uniform(random);
            if (Math.Log(u) < (0.5 * x * x) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }

        return d;
    }

    private static double Normal(Func<double> random)
        => Math.Sqrt(-2 * Math.Log(Uniform(random))) * Math.Cos(2 * Math.PI * random());

    /// <summary>A draw in (0, 1]: the logarithms above must not see zero.</summary>
    private static double Uniform(Func<double> random) => 1 - random();
}
