using NanoBananaResilience.Testing;

namespace NanoBananaResilience.TestSupport.Shared;

/// <summary>
/// Simulated model profiles whose outcome is certain, shared by the test projects (linked into each): a model that
/// fails practically every request all day, and one that never fails.
/// </summary>
internal static class CertainModels
{
    /// <summary>A model that fails practically every request, all day (the simulator's rates stop short of 1).</summary>
    public static SimulatedModelProfile DownAllDay()
    {
        var down = SimulatedModelProfile.CreateCustom(Enumerable.Repeat(0.999, 24));
        down.EpisodeFailureRate = 1;
        down.BackgroundFailureRate = 0.999;
        return down;
    }

    /// <summary>A model that never fails: every call is exactly one request.</summary>
    public static SimulatedModelProfile UpAllDay()
    {
        var up = SimulatedModelProfile.CreateCustom(Enumerable.Repeat(0.0, 24));
        up.BackgroundFailureRate = 0;
        return up;
    }
}
