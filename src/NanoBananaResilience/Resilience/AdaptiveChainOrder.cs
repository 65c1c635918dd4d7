namespace NanoBananaResilience;

/// <summary>
/// Orders a call's chain in <see cref="PeakHoursMode.Adaptive"/>: each model's chance of getting an image within its
/// attempts this UTC hour is drawn from what its routes have done in that hour (the best route speaks for the model);
/// models whose draw reaches <see cref="KeepPlace"/> keep the configured order, the others follow, likeliest first.
/// Drawing rather than reading the mean is what keeps trying a demoted model first now and then while the evidence
/// about it is thin, so its recovery is seen.
/// </summary>
internal sealed class AdaptiveChainOrder(RouteRegistry routes, Func<double> random)
{
    /// <summary>The share of calls a model's attempts must get an image for, in an hour, for the model to keep its place.</summary>
    public const double KeepPlace = 0.5;

    /// <summary>The prior's weight, in outcomes: the clock's belief gives way once an hour has seen a few days of calls.</summary>
    public const double PriorWeight = 10;

    /// <summary>The prior chance of one request inside the peak window for the chain's first model, which the clock demotes there.</summary>
    public const double PeakPrior = 0.15;

    /// <summary>The prior chance of one request everywhere else.</summary>
    public const double UsualPrior = 0.9;

    public List<ModelOptions> Order(IReadOnlyList<ModelOptions> chain, DateTimeOffset now)
    {
        var drawn = chain.Select(model => (Model: model, Chance: AttemptsSucceed(model, now))).ToList();
        return [.. drawn.Where(d => d.Chance >= KeepPlace).Select(d => d.Model),
            .. drawn.Where(d => d.Chance < KeepPlace).OrderByDescending(d => d.Chance).Select(d => d.Model)];
    }

    /// <summary>The prior of a route of <paramref name="modelId"/> in UTC hour <paramref name="hour"/>, from the clock.</summary>
    public static (double Chance, double Weight) Prior(PeakWindow clock, string firstModel, string modelId, int hour)
    {
        var middleOfHour = new DateTimeOffset(2000, 1, 1, hour, 30, 0, TimeSpan.Zero);
        var demoted = clock.Contains(middleOfHour) && string.Equals(modelId, firstModel, StringComparison.Ordinal);
        return (demoted ? PeakPrior : UsualPrior, PriorWeight);
    }

    private double AttemptsSucceed(ModelOptions model, DateTimeOffset now)
    {
        var best = routes.RoutesOf(model).Max(route => route.Hours!.Draw(now, random));
        return 1 - Math.Pow(1 - best, model.MaxAttempts);
    }
}
