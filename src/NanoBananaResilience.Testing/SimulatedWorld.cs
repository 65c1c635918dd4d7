namespace NanoBananaResilience.Testing;

/// <summary>
/// How overloads arrive in a simulated world. Every world is calibrated so that the share of requests answered 503 in
/// each UTC hour matches the models' <see cref="SimulatedModelProfile.HourlyOverloadRates"/>; they differ in how those
/// failures are spread over time and across models, which nobody outside Google can observe directly. A policy is only
/// as good as its worst plausible world, so judge one on all of them.
/// </summary>
public enum SimulatedWorld
{
    /// <summary>
    /// Overloads come in episodes (log-normal length, median 37 minutes) inside which a model fails
    /// <see cref="SimulatedModelProfile.EpisodeFailureRate"/> of requests (97% by default); outside them it fails
    /// <see cref="SimulatedModelProfile.BackgroundFailureRate"/> (1%). The models' episodes are independent.
    /// </summary>
    Episodes,

    /// <summary>
    /// Episodes as in <see cref="Episodes"/>, but each episode sheds a share of requests drawn uniformly from
    /// [<see cref="SimulatedGeminiOptions.PartialSheddingMinimum"/>, <see cref="SimulatedGeminiOptions.PartialSheddingMaximum"/>]
    /// (40–95% by default), as a gateway that sheds load probabilistically does: some requests get through.
    /// Episodes are correspondingly more frequent, so the hourly failure share is unchanged.
    /// </summary>
    Partial,

    /// <summary>
    /// No episodes: every request fails independently with the hourly rate of its model. Nothing is learned from the
    /// last answer, and a policy that takes noise for an outage pays for it.
    /// </summary>
    Noise,

    /// <summary>
    /// Episodes as in <see cref="Episodes"/>, but a share (<see cref="SimulatedGeminiOptions.SharedOverloadShare"/>) of the
    /// episodes of the most overloaded model — Nano Banana 2 with the default profiles — hit every other model at the
    /// same time, as when Google's shared capacity runs out. The other models' own episodes are fewer, so their hourly
    /// failure share is unchanged; what changes is how often both models are down together.
    /// </summary>
    Shared,
}
