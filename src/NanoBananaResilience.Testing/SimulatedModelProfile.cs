using System.Collections.ObjectModel;

namespace NanoBananaResilience.Testing;

/// <summary>
/// How one simulated model behaves: how often and for how long it is overloaded at each hour of the UTC day, how
/// slow it is at each image size, what it returns and what it costs.
/// </summary>
/// <remarks>
/// <para>
/// Overloads come in episodes, not as independent coin flips. Episodes start at an hour-dependent rate and last a
/// log-normally distributed time (median <see cref="EpisodeMedianDuration"/>, shape <see cref="EpisodeDurationSpread"/>).
/// The start rates are calibrated so that the share of calls that fail in each hour,
/// <c>coverage × EpisodeFailureRate + (1 − coverage) × BackgroundFailureRate</c>, equals
/// <see cref="HourlyOverloadRates"/>; see <c>docs/simulation.md</c>.
/// </para>
/// <para>The handler reads a profile once, when it is constructed; later changes do not affect it.</para>
/// </remarks>
public sealed class SimulatedModelProfile
{
    private static readonly double[] NanoBanana2Rates =
    [
        0.06, 0.06, 0.06, 0.06, 0.06, 0.06, // 00–06: under 8%
        0.15, 0.15, 0.15, 0.15,             // 06–10: ~15%
        0.45, 0.45, 0.45, 0.45,             // 10–14: ~45%
        0.25, 0.25, 0.25, 0.25,             // 14–18: ~25%
        0.10, 0.10, 0.10, 0.10, 0.10, 0.10, // 18–24: ~10%
    ];

    private static readonly double[] NanoBananaProRates =
    [
        0.06, 0.06, 0.06, 0.06, 0.06, 0.06,
        0.07, 0.07, 0.07, 0.07,
        0.12, 0.12, 0.12, 0.12,             // 10–14: ~12%
        0.08, 0.08, 0.08, 0.08,
        0.06, 0.06, 0.06, 0.06, 0.06, 0.06,
    ];

    /// <summary>
    /// Gets or sets the share of calls answered 503 in each UTC hour (24 values, index 0 is 00:00–01:00), each in [0, 1).
    /// </summary>
    /// <remarks>
    /// The default value is the Nano Banana 2 table: 0.06 at 00–06, 0.15 at 06–10, 0.45 at 10–14, 0.25 at 14–18 and
    /// 0.10 at 18–24.
    /// </remarks>
    public IReadOnlyList<double> HourlyOverloadRates { get; set; } = Array.AsReadOnly(NanoBanana2Rates);

    /// <summary>
    /// Gets or sets the share of calls answered 503 while the model is inside an overload episode, in (0, 1].
    /// </summary>
    /// <remarks>The default value is 0.97.</remarks>
    public double EpisodeFailureRate { get; set; } = 0.97;

    /// <summary>
    /// Gets or sets the share of calls answered 503 while the model is not in an episode, in [0, 1).
    /// </summary>
    /// <remarks>The default value is 0.01.</remarks>
    public double BackgroundFailureRate { get; set; } = 0.01;

    /// <summary>
    /// Gets or sets the median length of an overload episode.
    /// </summary>
    /// <remarks>
    /// The default value is 37 minutes, which with the default spread makes 70% of episodes end within 60 minutes,
    /// 90% within 2 hours and about 2% last longer than 4 hours.
    /// </remarks>
    public TimeSpan EpisodeMedianDuration { get; set; } = TimeSpan.FromMinutes(37);

    /// <summary>
    /// Gets or sets the shape (σ of the underlying normal) of the log-normal episode length, in (0, 3].
    /// </summary>
    /// <remarks>The default value is 0.915.</remarks>
    public double EpisodeDurationSpread { get; set; } = 0.915;

    /// <summary>
    /// Gets or sets the longest an episode may last; longer draws are cut to this length. At most 20 hours.
    /// </summary>
    /// <remarks>The default value is 10 hours.</remarks>
    public TimeSpan MaxEpisodeDuration { get; set; } = TimeSpan.FromHours(10);

    /// <summary>
    /// Gets the latency of a generated answer by requested image size (<c>"0.5K"</c>, <c>"1K"</c>, <c>"2K"</c>, <c>"4K"</c>).
    /// A size without an entry uses the <c>"1K"</c> entry.
    /// </summary>
    /// <remarks>The default value is the Nano Banana 2 table: 0.5K 5–12 s, 1K 8–20 s, 2K 12–35 s, 4K 20–60 s, all uniform.</remarks>
    public IDictionary<string, SimulatedLatency> Latency { get; } = new Dictionary<string, SimulatedLatency>(StringComparer.OrdinalIgnoreCase)
    {
        ["0.5K"] = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(12)),
        ["1K"] = new(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(20)),
        ["2K"] = new(TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(35)),
        ["4K"] = new(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60)),
    };

    /// <summary>
    /// Gets or sets the latency of answers that fail fast: 503, 429 and gateway errors.
    /// </summary>
    /// <remarks>The default value is 0.5–2 s, uniform.</remarks>
    public SimulatedLatency FastFailureLatency { get; set; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2));

    /// <summary>
    /// Gets or sets the encoding of returned images.
    /// </summary>
    /// <remarks>The default value is <see cref="SimulatedImageFormat.Jpeg"/>.</remarks>
    public SimulatedImageFormat ImageFormat { get; set; } = SimulatedImageFormat.Jpeg;

    /// <summary>
    /// Gets or sets the price of output image tokens in USD per million, used only to fill <c>usage.cost</c>.
    /// </summary>
    /// <remarks>The default value is 60.</remarks>
    public double ImageTokenPriceUsdPerMillion { get; set; } = 60;

    /// <summary>
    /// Gets or sets the price of input tokens in USD per million, used only to fill <c>usage.cost</c>.
    /// </summary>
    /// <remarks>The default value is 0.5.</remarks>
    public double InputTokenPriceUsdPerMillion { get; set; } = 0.5;

    /// <summary>
    /// Creates the built-in profile of Nano Banana 2 (<see cref="SimulatedModels.NanoBanana2"/>): often overloaded
    /// around 10–14 UTC, fast but with high latency variance.
    /// </summary>
    /// <returns>A new profile that the caller may change.</returns>
    public static SimulatedModelProfile CreateNanoBanana2() => new();

    /// <summary>
    /// Creates the built-in profile of Nano Banana Pro (<see cref="SimulatedModels.NanoBananaPro"/>): about 12% overloaded
    /// at 10–14 UTC and 6–8% otherwise, slower and steadier.
    /// </summary>
    /// <returns>A new profile that the caller may change.</returns>
    public static SimulatedModelProfile CreateNanoBananaPro()
    {
        var profile = new SimulatedModelProfile
        {
            HourlyOverloadRates = new ReadOnlyCollection<double>(NanoBananaProRates),
            ImageTokenPriceUsdPerMillion = 120,
            InputTokenPriceUsdPerMillion = 2,
        };

        // Pro has no 0.5K tier; a 0.5K request falls back to the 1K entry.
        profile.Latency.Clear();
        profile.Latency["1K"] = new(TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(25), concentration: 3);
        profile.Latency["2K"] = new(TimeSpan.FromSeconds(18), TimeSpan.FromSeconds(40), concentration: 3);
        profile.Latency["4K"] = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), concentration: 4);
        return profile;
    }

    /// <summary>
    /// Creates a profile with the given hourly overload rates and otherwise the Nano Banana 2 defaults.
    /// </summary>
    /// <param name="hourlyOverloadRates">24 shares of calls answered 503, one per UTC hour.</param>
    /// <returns>A new profile that the caller may change.</returns>
    /// <exception cref="ArgumentException">There are not exactly 24 rates.</exception>
    public static SimulatedModelProfile CreateCustom(IEnumerable<double> hourlyOverloadRates)
    {
        ArgumentNullException.ThrowIfNull(hourlyOverloadRates);
        var rates = hourlyOverloadRates.ToArray();
        if (rates.Length != 24)
        {
            throw new ArgumentException($"Expected 24 hourly rates, got {rates.Length}.", nameof(hourlyOverloadRates));
        }

        return new SimulatedModelProfile { HourlyOverloadRates = Array.AsReadOnly(rates) };
    }
}
