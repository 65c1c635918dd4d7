namespace NanoBanana.Cli;

/// <summary>One seed for everything random in a run: the simulator takes it as is, the client's jitter from here.</summary>
internal static class Seeding
{
    /// <summary>
    /// A source for <see cref="NanoBananaResilience.RetryOptions.Randomizer"/> drawn from <paramref name="seed"/>:
    /// the same seed gives the same backoff delays. Safe to share between concurrent calls.
    /// </summary>
    public static Func<double> Randomizer(int seed)
    {
        var random = new Random(seed);
        var gate = new Lock();
        return () =>
        {
            lock (gate)
            {
                return random.NextDouble();
            }
        };
    }
}
