namespace NanoBananaResilience;

/// <summary>
/// Orders the models for one call: the configured chain, reversed inside the peak window, with resting models
/// (open breaker or cooldown) moved to the back, where they are only reached when nothing else is left.
/// </summary>
internal static class ChainPlanner
{
    public static List<ModelOptions> Plan(IReadOnlyList<ModelOptions> chain, PeakWindow peak, DateTimeOffset now, Func<string, bool> isResting)
    {
        var ordered = new List<ModelOptions>(chain);
        if (peak.Contains(now))
        {
            ordered.Reverse();
        }

        // A stable partition: available models keep their order, resting ones follow in theirs.
        var available = ordered.Where(m => !isResting(m.Id));
        var resting = ordered.Where(m => isResting(m.Id));
        return [.. available, .. resting];
    }
}
