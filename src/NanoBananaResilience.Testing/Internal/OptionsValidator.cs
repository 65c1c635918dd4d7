using System.Globalization;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>Fails fast, naming the option and the value, rather than simulating nonsense.</summary>
internal static class OptionsValidator
{
    public static void Validate(SimulatedGeminiOptions options)
    {
        Rate(options.RateLimitRate, nameof(options.RateLimitRate));
        Rate(options.DailyQuotaRate, nameof(options.DailyQuotaRate));
        Rate(options.SafetyBlockRate, nameof(options.SafetyBlockRate));
        Rate(options.NoImageRate, nameof(options.NoImageRate));
        Rate(options.BadGatewayRate, nameof(options.BadGatewayRate));
        var faults = options.RateLimitRate + options.DailyQuotaRate + options.SafetyBlockRate + options.NoImageRate + options.BadGatewayRate;
        Check(faults <= 1, $"The fault rates of {nameof(SimulatedGeminiOptions)} add up to {Format(faults)}; they must add up to at most 1.");
        Check(double.IsFinite(options.LatencyScale) && options.LatencyScale >= 0, $"{nameof(SimulatedGeminiOptions)}.{nameof(options.LatencyScale)} is {Format(options.LatencyScale)}; it must be 0 or more.");
        Check(options.RequestLogCapacity >= 0, $"{nameof(SimulatedGeminiOptions)}.{nameof(options.RequestLogCapacity)} is {options.RequestLogCapacity}; it must be 0 or more.");
        Check(Enum.IsDefined(options.World), $"{nameof(SimulatedGeminiOptions)}.{nameof(options.World)} is {options.World}, which is not a defined world.");
        Check(options.PartialSheddingMinimum > 0 && options.PartialSheddingMinimum <= 1, $"{nameof(SimulatedGeminiOptions)}.{nameof(options.PartialSheddingMinimum)} is {Format(options.PartialSheddingMinimum)}; it must be in (0, 1].");
        Check(options.PartialSheddingMaximum >= options.PartialSheddingMinimum && options.PartialSheddingMaximum <= 1, $"{nameof(SimulatedGeminiOptions)}.{nameof(options.PartialSheddingMaximum)} is {Format(options.PartialSheddingMaximum)}; it must be between PartialSheddingMinimum ({Format(options.PartialSheddingMinimum)}) and 1.");
        Rate(options.SharedOverloadShare, nameof(options.SharedOverloadShare));
        Check(Enum.IsDefined(options.ResponseShape), $"{nameof(SimulatedGeminiOptions)}.{nameof(options.ResponseShape)} is {options.ResponseShape}, which is not a defined shape.");

        foreach (var (model, profile) in options.Models)
        {
            Check(!string.IsNullOrWhiteSpace(model), "A model id in SimulatedGeminiOptions.Models is empty.");
            Check(profile is not null, $"The profile of model '{model}' is null.");
            var prefix = $"Models[\"{model}\"].";
            var rates = profile!.HourlyOverloadRates;
            Check(rates is { Count: 24 }, $"{prefix}{nameof(profile.HourlyOverloadRates)} has {rates?.Count ?? 0} values; it must have 24, one per UTC hour.");
            for (var h = 0; h < 24; h++)
            {
                Check(rates![h] >= 0 && rates[h] < 1, $"{prefix}{nameof(profile.HourlyOverloadRates)}[{h}] is {Format(rates[h])}; it must be in [0, 1).");
            }

            Check(profile.EpisodeFailureRate > 0 && profile.EpisodeFailureRate <= 1, $"{prefix}{nameof(profile.EpisodeFailureRate)} is {Format(profile.EpisodeFailureRate)}; it must be in (0, 1].");
            Check(profile.BackgroundFailureRate >= 0 && profile.BackgroundFailureRate < profile.EpisodeFailureRate, $"{prefix}{nameof(profile.BackgroundFailureRate)} is {Format(profile.BackgroundFailureRate)}; it must be at least 0 and below EpisodeFailureRate ({Format(profile.EpisodeFailureRate)}).");
            Check(profile.EpisodeMedianDuration >= TimeSpan.FromMinutes(1), $"{prefix}{nameof(profile.EpisodeMedianDuration)} is {profile.EpisodeMedianDuration}; it must be at least 1 minute.");
            Check(profile.EpisodeDurationSpread > 0 && profile.EpisodeDurationSpread <= 3, $"{prefix}{nameof(profile.EpisodeDurationSpread)} is {Format(profile.EpisodeDurationSpread)}; it must be in (0, 3].");
            Check(profile.MaxEpisodeDuration >= profile.EpisodeMedianDuration && profile.MaxEpisodeDuration <= TimeSpan.FromHours(20), $"{prefix}{nameof(profile.MaxEpisodeDuration)} is {profile.MaxEpisodeDuration}; it must be between EpisodeMedianDuration and 20 hours.");
            Check(profile.FastFailureLatency is not null, $"{prefix}{nameof(profile.FastFailureLatency)} is null.");
            Check(profile.Latency.Values.All(l => l is not null), $"{prefix}{nameof(profile.Latency)} contains a null entry.");
            Check(profile.ImageTokenPriceUsdPerMillion >= 0 && profile.InputTokenPriceUsdPerMillion >= 0, $"{prefix} token prices must be 0 or more.");
            Check(Enum.IsDefined(profile.ImageFormat), $"{prefix}{nameof(profile.ImageFormat)} is {profile.ImageFormat}, which is not a defined format.");
        }
    }

    private static void Rate(double value, string name) =>
        Check(value >= 0 && value <= 1, $"{nameof(SimulatedGeminiOptions)}.{name} is {Format(value)}; it must be in [0, 1].");

    private static void Check(bool condition, string message, string paramName = "options")
    {
        if (!condition)
        {
            throw new ArgumentException(message, paramName);
        }
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
