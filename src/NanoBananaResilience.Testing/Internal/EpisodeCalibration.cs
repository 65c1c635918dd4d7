using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// Finds, for each UTC hour, the rate at which overload episodes start so that the expected share of time spent inside
/// an episode matches a target per hour.
/// </summary>
/// <remarks>
/// <para>
/// The model is an alternating renewal process whose clock is the hour of day: while healthy, an episode starts with
/// hazard λ(hour) per minute; an episode lasts a log-normal time cut at a maximum, then the model is healthy again.
/// Episodes therefore never overlap, and their lengths follow the configured distribution exactly.
/// </para>
/// <para>
/// Because an episode started at 13:50 still covers 14:30, the coverage of an hour depends on the start rates of the
/// hours before it. The expected coverage is computed minute by minute (the probability of being healthy, and the
/// survival of episodes started in each earlier minute) over three days so the daily cycle reaches its periodic
/// steady state, and the 24 rates are corrected multiplicatively until every hour is within 10⁻⁴ of its target, or the
/// target cannot be reached. The one unreachable case is a steep drop, where episodes spilling over from the hour
/// before already exceed the target: that hour's rate goes to 0 and its coverage stays above target.
/// </para>
/// </remarks>
internal static class EpisodeCalibration
{
    private const int MinutesPerDay = 1440;
    private const int Days = 3;
    private const int MaxIterations = 200;
    private static readonly ConcurrentDictionary<string, double[]> Cache = new(StringComparer.Ordinal);

    /// <summary>Returns the start hazard per minute for each hour. Results are cached by parameters.</summary>
    public static double[] GetStartRates(double[] targetCoverage, double mu, double sigma, int maxMinutes)
    {
        var key = CreateKey(targetCoverage, mu, sigma, maxMinutes);
        return Cache.GetOrAdd(key, _ => Calibrate(targetCoverage, mu, sigma, maxMinutes));
    }

    /// <summary>Expected share of each hour spent inside an episode, given the start rates.</summary>
    public static double[] ExpectedCoverage(double[] ratesPerMinute, double mu, double sigma, int maxMinutes)
    {
        var survival = Survival(mu, sigma, maxMinutes);
        var started = new double[Days * MinutesPerDay];
        var coverage = new double[24];
        for (var t = 0; t < started.Length; t++)
        {
            // Active at the start of minute t: started in an earlier minute and not yet over.
            double active = 0;
            var back = Math.Min(t, maxMinutes);
            for (var a = 1; a <= back; a++)
            {
                active += started[t - a] * survival[a];
            }

            var healthy = Math.Max(0, 1 - active);
            var hour = t / 60 % 24;
            started[t] = healthy * (1 - Math.Exp(-ratesPerMinute[hour]));
            if (t >= (Days - 1) * MinutesPerDay)
            {
                // An episode starts, on average, half-way through its first minute.
                coverage[hour] += (active + (0.5 * started[t])) / 60.0;
            }
        }

        return coverage;
    }

    /// <summary>survival[a] = P(duration &gt; a minutes), so an episode started in minute s still covers minute s + a.</summary>
    private static double[] Survival(double mu, double sigma, int maxMinutes)
    {
        var survival = new double[maxMinutes + 1];
        survival[0] = 1;
        for (var a = 1; a < maxMinutes; a++)
        {
            survival[a] = 0.5 * Erfc((Math.Log(a) - mu) / (sigma * Math.Sqrt(2)));
        }

        survival[maxMinutes] = 0;
        return survival;
    }

    private static double[] Calibrate(double[] target, double mu, double sigma, int maxMinutes)
    {
        var meanMinutes = Math.Exp(mu + (sigma * sigma / 2));
        var rates = new double[24];
        for (var h = 0; h < 24; h++)
        {
            // The stationary answer for a constant target: coverage = λD / (1 + λD).
            rates[h] = target[h] <= 0 ? 0 : target[h] / ((1 - target[h]) * meanMinutes);
        }

        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var coverage = ExpectedCoverage(rates, mu, sigma, maxMinutes);
            var converged = true;
            for (var h = 0; h < 24; h++)
            {
                if (target[h] <= 0)
                {
                    continue;
                }

                var error = coverage[h] - target[h];
                if (Math.Abs(error) < 1e-4 || (error > 0 && rates[h] < 1e-9))
                {
                    continue;
                }

                converged = false;

                // Damped multiplicative correction: the coupling between neighbouring hours makes the undamped step overshoot.
                var ratio = target[h] / Math.Max(coverage[h], 1e-9);
                rates[h] = Math.Min(5, rates[h] * Math.Pow(ratio, 0.8));
                if (rates[h] < 1e-9 && ratio > 1)
                {
                    rates[h] = 1e-6;
                }
            }

            if (converged)
            {
                break;
            }
        }

        return rates;
    }

    private static string CreateKey(double[] target, double mu, double sigma, int maxMinutes)
    {
        var key = new StringBuilder();
        foreach (var value in target)
        {
            key.Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(',');
        }

        return key.Append(mu.ToString("R", CultureInfo.InvariantCulture)).Append(',')
            .Append(sigma.ToString("R", CultureInfo.InvariantCulture)).Append(',')
            .Append(maxMinutes.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>Complementary error function (Numerical Recipes' Chebyshev fit, fractional error below 1.2 × 10⁻⁷).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        var poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806 +
            (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }
}
