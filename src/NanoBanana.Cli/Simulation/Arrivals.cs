namespace NanoBanana.Cli.Simulation;

/// <summary>The calls' arrival instants: drawn from the seed, sorted, in whole milliseconds (the simulator keys its draws by instant).</summary>
internal static class Arrivals
{
    private const int SmallestBurst = 20;
    private const int LargestBurst = 200;

    public static DateTimeOffset[] Create(SimulationSetup setup)
    {
        var random = new Random(setup.Seed);
        var span = (setup.WindowEnd - setup.WindowStart).Ticks;
        DateTimeOffset Draw()
        {
            var day = SimulationSetup.FirstDay.AddDays(random.Next(setup.Days)) + setup.WindowStart;
            return day.AddMilliseconds(Math.Floor(random.NextDouble() * span / TimeSpan.TicksPerMillisecond));
        }

        var arrivals = new DateTimeOffset[setup.Requests];
        for (var i = 0; i < arrivals.Length;)
        {
            var instant = Draw();
            var burst = setup.Arrivals == ArrivalPattern.Bursty ? Math.Min(random.Next(SmallestBurst, LargestBurst + 1), arrivals.Length - i) : 1;
            for (var b = 0; b < burst; b++)
            {
                arrivals[i++] = instant;
            }
        }

        Array.Sort(arrivals);
        return arrivals;
    }
}
