namespace NanoBananaResilience;

/// <summary>
/// What a route's requests have done in each UTC hour of the day: a Beta belief per hour over the chance that one
/// request gets an answer: a prior that never fades, plus every outcome, with old outcomes fading (half of their weight
/// every <see cref="HalfLife"/>), so that a model whose afternoons changed is believed again within days and an hour
/// without traffic falls back to the prior. One per route in <see cref="PeakHoursMode.Adaptive"/>; its own lock.
/// </summary>
internal sealed class HourlyChances
{
    /// <summary>How fast old evidence fades: after a week it counts half.</summary>
    public static readonly TimeSpan HalfLife = TimeSpan.FromDays(7);

    private readonly object _gate = new();
    private readonly Belief[] _priors = new Belief[24];
    private readonly Belief[] _hours = new Belief[24];

    /// <param name="prior">The belief for an hour before any outcome: its mean chance and how many outcomes it weighs.</param>
    public HourlyChances(Func<int, (double Chance, double Weight)> prior)
    {
        for (var hour = 0; hour < 24; hour++)
        {
            var (chance, weight) = prior(hour);
            _priors[hour] = new Belief(chance * weight, (1 - chance) * weight, default);
        }
    }

    /// <summary>Learns from one request's outcome; outcomes that say nothing of the model's availability are ignored.</summary>
    public void Record(AttemptOutcome? outcome, DateTimeOffset now)
    {
        double answered;
        switch (outcome)
        {
            case AttemptOutcome.Success or AttemptOutcome.NoImage:
                answered = 1;
                break;
            case AttemptOutcome.Overloaded or AttemptOutcome.ServerError or AttemptOutcome.Timeout or AttemptOutcome.RateLimited or AttemptOutcome.QuotaExhausted:
                answered = 0;
                break;
            default:
                return;
        }

        lock (_gate)
        {
            var hour = now.UtcDateTime.Hour;
            var belief = Faded(_hours[hour], now);
            _hours[hour] = new Belief(belief.Answers + answered, belief.Failures + 1 - answered, now);
        }
    }

    /// <summary>The belief's mean for the hour of <paramref name="now"/>.</summary>
    public double Mean(DateTimeOffset now)
    {
        var (answers, failures) = Current(now);
        return answers / (answers + failures);
    }

    /// <summary>
    /// A chance drawn from the hour's belief (Thompson sampling): usually near what the model has shown, now and then
    /// far from it while the evidence is thin — which is how a demoted model still gets tried first once in a while.
    /// </summary>
    public double Draw(DateTimeOffset now, Func<double> random)
    {
        var (answers, failures) = Current(now);
        return BetaSample.Draw(answers, failures, random);
    }

    /// <summary>The prior plus the faded outcomes of the hour of <paramref name="now"/>.</summary>
    private (double Answers, double Failures) Current(DateTimeOffset now)
    {
        var hour = now.UtcDateTime.Hour;
        lock (_gate)
        {
            var seen = Faded(_hours[hour], now);
            return (_priors[hour].Answers + seen.Answers, _priors[hour].Failures + seen.Failures);
        }
    }

    private static Belief Faded(Belief belief, DateTimeOffset now)
    {
        if (belief.Updated == default || now <= belief.Updated)
        {
            return belief;
        }

        var keep = Math.Pow(0.5, (now - belief.Updated) / HalfLife);
        return new Belief(belief.Answers * keep, belief.Failures * keep, now);
    }

    private readonly record struct Belief(double Answers, double Failures, DateTimeOffset Updated);
}
