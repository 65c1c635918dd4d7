using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Simulation;

/// <summary>
/// A strategy's figures over every call: latencies count failures at the time they ended, so a strategy cannot look fast
/// by failing slowly out of sight.
/// </summary>
internal sealed record StrategyRow(
    string Strategy,
    string Description,
    int Calls,
    int Successes,
    long Requests,
    double P50,
    double P95,
    double P99,
    double MedianTimeToFailure,
    double UsdPerImage,
    double UsdPerImageList,
    IReadOnlyDictionary<string, double> ServedBy,
    bool[] Succeeded,
    int[] HourCalls,
    int[] HourSuccesses,
    TimeSpan RealTime)
{
    /// <summary>The article's reseller prices per image: Nano Banana 2 $0.035, Pro $0.05.</summary>
    public static readonly IReadOnlyDictionary<string, double> ResellerPrices = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        [SimulatedModels.NanoBanana2] = 0.035,
        [SimulatedModels.NanoBananaPro] = 0.05,
    };

    /// <summary>Google's list prices per 1K image: Nano Banana 2 $0.067, Pro $0.134.</summary>
    public static readonly IReadOnlyDictionary<string, double> ListPrices = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        [SimulatedModels.NanoBanana2] = 0.067,
        [SimulatedModels.NanoBananaPro] = 0.134,
    };

    public double Success => Calls == 0 ? double.NaN : (double)Successes / Calls;

    public double RequestsPerSuccess => Successes == 0 ? double.NaN : (double)Requests / Successes;

    public static StrategyRow From(StrategyRun run)
    {
        var calls = run.Calls;
        var latencies = calls.Select(c => c.Latency.TotalSeconds).Order().ToArray();
        var failures = calls.Where(c => !c.Success).Select(c => c.Latency.TotalSeconds).Order().ToArray();
        var successes = calls.Count(c => c.Success);
        var hourCalls = new int[24];
        var hourSuccesses = new int[24];
        foreach (var call in calls)
        {
            hourCalls[call.Arrival.Hour]++;
            hourSuccesses[call.Arrival.Hour] += call.Success ? 1 : 0;
        }

        double PerImage(IReadOnlyDictionary<string, double> prices)
            => successes == 0 ? double.NaN : run.BilledImages.Sum(b => b.Value * prices[b.Key]) / successes;

        var servedBy = run.BilledImages.Keys.ToDictionary(
            m => m,
            m => successes == 0 ? 0 : calls.Count(c => c.Success && c.Model is { } served && served.EndsWith(m, StringComparison.Ordinal)) / (double)successes,
            StringComparer.Ordinal);

        return new StrategyRow(
            run.Strategy.Name,
            run.Strategy.Description,
            calls.Length,
            successes,
            run.Requests,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.95),
            Percentile(latencies, 0.99),
            Percentile(failures, 0.50),
            PerImage(ResellerPrices),
            PerImage(ListPrices),
            servedBy,
            [.. calls.Select(c => c.Success)],
            hourCalls,
            hourSuccesses,
            run.RealTime);
    }

    /// <summary>Nearest rank; NaN for no values.</summary>
    public static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// A paired difference in success between two strategies run on the same calls: the mean of per-call differences
/// (−1, 0 or +1) with a normal-approximation 95% interval. Pairing removes the world's weather, which both share.
/// </summary>
internal readonly record struct PairedDifference(double Difference, double Low, double High)
{
    public static PairedDifference Of(StrategyRow a, StrategyRow b)
    {
        var n = a.Succeeded.Length;
        if (n != b.Succeeded.Length || n < 2)
        {
            return new(double.NaN, double.NaN, double.NaN);
        }

        double sum = 0, sumOfSquares = 0;
        for (var i = 0; i < n; i++)
        {
            var d = (a.Succeeded[i] ? 1 : 0) - (b.Succeeded[i] ? 1 : 0);
            sum += d;
            sumOfSquares += d * d;
        }

        var mean = sum / n;
        var variance = (sumOfSquares - (n * mean * mean)) / (n - 1);
        var half = 1.96 * Math.Sqrt(Math.Max(0, variance) / n);
        return new(mean, mean - half, mean + half);
    }
}
