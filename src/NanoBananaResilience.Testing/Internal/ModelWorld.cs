using System.Collections.Concurrent;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// The immutable simulation of one model: its profile as read at construction, its calibrated episode start rates,
/// and its overload timeline, generated lazily one UTC day at a time from (seed, model, day).
/// </summary>
internal sealed class ModelWorld
{
    private const double MinutesPerDay = 1440;
    private const int MaxCachedDays = 512;

    private readonly ulong _daySeed;
    private readonly double _mu;
    private readonly double _sigma;
    private readonly double _maxMinutes;
    private readonly double _warmUpMinutes;
    private readonly double[] _startRates;
    private readonly ConcurrentDictionary<long, EpisodeSpan[]> _days = new();

    public ModelWorld(string modelId, SimulatedModelProfile profile, int seed)
    {
        ModelId = modelId;
        ModelHash = DeterministicRandom.Hash(modelId);
        _daySeed = DeterministicRandom.Combine((ulong)(uint)seed, ModelHash, 0x0E71_50DEUL);

        HourlyOverloadRates = [.. profile.HourlyOverloadRates];
        EpisodeFailureRate = profile.EpisodeFailureRate;
        BackgroundFailureRate = profile.BackgroundFailureRate;
        Latency = new Dictionary<string, SimulatedLatency>(profile.Latency, StringComparer.OrdinalIgnoreCase);
        FastFailureLatency = profile.FastFailureLatency;
        ImageFormat = profile.ImageFormat;
        ImageTokenPrice = profile.ImageTokenPriceUsdPerMillion / 1e6;
        InputTokenPrice = profile.InputTokenPriceUsdPerMillion / 1e6;

        _mu = Math.Log(profile.EpisodeMedianDuration.TotalMinutes);
        _sigma = profile.EpisodeDurationSpread;
        _maxMinutes = profile.MaxEpisodeDuration.TotalMinutes;
        _warmUpMinutes = Math.Max(720, _maxMinutes + 120);

        TargetCoverage = new double[24];
        for (var h = 0; h < 24; h++)
        {
            // The share of calls that fail mixes episode time and healthy time; solve for the episode share.
            var coverage = (HourlyOverloadRates[h] - BackgroundFailureRate) / (EpisodeFailureRate - BackgroundFailureRate);
            TargetCoverage[h] = Math.Clamp(coverage, 0, 0.995);
        }

        _startRates = EpisodeCalibration.GetStartRates(TargetCoverage, _mu, _sigma, (int)Math.Ceiling(_maxMinutes));
    }

    public string ModelId { get; }

    public ulong ModelHash { get; }

    public double[] HourlyOverloadRates { get; }

    public double[] TargetCoverage { get; }

    public double EpisodeFailureRate { get; }

    public double BackgroundFailureRate { get; }

    public Dictionary<string, SimulatedLatency> Latency { get; }

    public SimulatedLatency FastFailureLatency { get; }

    public SimulatedImageFormat ImageFormat { get; }

    public double ImageTokenPrice { get; }

    public double InputTokenPrice { get; }

    public IReadOnlyList<double> StartRatesPerMinute => _startRates;

    public bool IsOverloaded(DateTimeOffset time)
    {
        var (day, ticks) = Split(time);

        // An episode can spill over from the day before (it is at most MaxEpisodeDuration long, under a day).
        return Contains(GetDay(day), ticks) || Contains(GetDay(day - 1), ticks + TimeSpan.TicksPerDay);
    }

    public List<SimulatedOverloadEpisode> GetEpisodes(DateTimeOffset from, DateTimeOffset to)
    {
        var result = new List<SimulatedOverloadEpisode>();
        var (firstDay, _) = Split(from);
        var (lastDay, _) = Split(to);
        for (var day = firstDay - 1; day <= lastDay; day++)
        {
            var origin = DateTimeOffset.UnixEpoch.AddDays(day);
            foreach (var span in GetDay(day))
            {
                var start = origin.AddTicks(span.Start);
                var end = origin.AddTicks(span.End);
                if (end <= from || start >= to)
                {
                    continue;
                }

                // Days are generated independently, so an episode spilling past midnight may overlap the next day's first one.
                if (result.Count > 0 && start <= result[^1].End)
                {
                    var last = result[^1];
                    result[^1] = last with { End = end > last.End ? end : last.End };
                }
                else
                {
                    result.Add(new SimulatedOverloadEpisode(start, end));
                }
            }
        }

        return result;
    }

    public SimulatedLatency GetLatency(string imageSize) =>
        Latency.TryGetValue(imageSize, out var latency) ? latency :
        Latency.TryGetValue("1K", out latency) ? latency :
        new SimulatedLatency(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(20));

    /// <summary>Splits an instant into a day number since the Unix epoch and the ticks since that day's midnight.</summary>
    private static (long Day, long Ticks) Split(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var day = Math.DivRem(ticks, TimeSpan.TicksPerDay, out var remainder);
        if (remainder < 0)
        {
            day--;
            remainder += TimeSpan.TicksPerDay;
        }

        return (day, remainder);
    }

    private static bool Contains(EpisodeSpan[] spans, long ticks)
    {
        foreach (var span in spans)
        {
            if (ticks < span.Start)
            {
                return false;
            }

            if (ticks < span.End)
            {
                return true;
            }
        }

        return false;
    }

    private EpisodeSpan[] GetDay(long day)
    {
        if (_days.TryGetValue(day, out var spans))
        {
            return spans;
        }

        // Bounded memory for very long simulations; a day is regenerated identically if needed again.
        if (_days.Count >= MaxCachedDays)
        {
            _days.Clear();
        }

        return _days.GetOrAdd(day, GenerateDay);
    }

    /// <summary>
    /// Runs the renewal process from a healthy state some hours before midnight (so the day starts near its steady
    /// state) to the end of the day, and keeps the episodes that start within the day. Minutes are relative to midnight.
    /// </summary>
    private EpisodeSpan[] GenerateDay(long day)
    {
        var random = new DeterministicRandom(DeterministicRandom.Combine(_daySeed, (ulong)day));
        var spans = new List<EpisodeSpan>();
        var t = -_warmUpMinutes;
        while (true)
        {
            // Time to the next start under an hour-by-hour piecewise-constant hazard: spend one Exp(1) budget across hours.
            var budget = random.NextExponential();
            while (true)
            {
                var hourStart = Math.Floor(t / 60) * 60;
                var hourEnd = hourStart + 60;
                var rate = _startRates[(int)(((long)(hourStart / 60) % 24 + 24) % 24)];
                var need = rate * (hourEnd - t);
                if (rate > 0 && need >= budget)
                {
                    t += budget / rate;
                    break;
                }

                budget -= need;
                t = hourEnd;
                if (t >= MinutesPerDay)
                {
                    return [.. spans];
                }
            }

            if (t >= MinutesPerDay)
            {
                return [.. spans];
            }

            var duration = Math.Min(Math.Exp(_mu + (_sigma * random.NextStandardNormal())), _maxMinutes);
            if (t >= 0)
            {
                // Whole seconds: episode boundaries read well in logs and compare exactly.
                spans.Add(new EpisodeSpan(ToWholeSecondTicks(t), ToWholeSecondTicks(t + duration)));
            }

            t += duration;
            if (t >= MinutesPerDay)
            {
                return [.. spans];
            }
        }
    }

    private static long ToWholeSecondTicks(double minutes) => (long)Math.Round(minutes * 60) * TimeSpan.TicksPerSecond;

    /// <summary>An episode in ticks since its day's midnight; the end may lie past the next midnight.</summary>
    private readonly record struct EpisodeSpan(long Start, long End);
}
