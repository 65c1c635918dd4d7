using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Tests.TestSupport;

/// <summary>Simulated model profiles that make a command's outcome certain.</summary>
internal static class Worlds
{
    /// <summary>A Monday at midnight UTC: the simulated day the gateways stand still on.</summary>
    public static readonly DateTimeOffset Monday = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A model that fails practically every request, all day (the simulator's rates stop short of 1).</summary>
    public static SimulatedModelProfile DownAllDay()
    {
        var down = SimulatedModelProfile.CreateCustom(Enumerable.Repeat(0.999, 24));
        down.EpisodeFailureRate = 1;
        down.BackgroundFailureRate = 0.999;
        return down;
    }

    /// <summary>A model that never fails: every item is exactly one request.</summary>
    public static SimulatedModelProfile UpAllDay()
    {
        var up = SimulatedModelProfile.CreateCustom(Enumerable.Repeat(0.0, 24));
        up.BackgroundFailureRate = 0;
        return up;
    }
}
