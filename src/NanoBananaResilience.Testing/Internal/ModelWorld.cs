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
    private readonly ulong _episodeSeed;
    private readonly WorldSettings _world;
    private readonly ModelWorld? _leader;
    private readonly double _mu;
    private readonly double _sigma;
    private readonly double _maxMinutes;
    private readonly double _warmUpMinutes;
    private readonly double[] _startRates;
    private readonly ConcurrentDictionary<long, EpisodeSpan[]> _days = new();

    public ModelWorld(string modelId, SimulatedModelProfile profile, int seed, WorldSettings world, ModelWorld? leader = null)
    {
        ModelId = modelId;
        ModelHash = DeterministicRandom.Hash(modelId);
        _daySeed = DeterministicRandom.Combine((ulong)(uint)seed, ModelHash, 0x0E71_50DEUL);
        _episodeSeed = DeterministicRandom.Combine((ulong)(uint)seed, ModelHash, 0x5EED_E915UL);
        _world = world;
        _leader = leader;

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

        // The share of calls that fail mixes episode time and healthy time; solve for the episode share. A partial
        // episode sheds its drawn share, so on average the midpoint of the range.
        var inside = world.Kind == SimulatedWorld.Partial ? (world.PartialMinimum + world.PartialMaximum) / 2 : EpisodeFailureRate;
        TargetCoverage = new double[24];
        SharedCoverage = new double[24];
        for (var h = 0; h < 24; h++)
        {
            var coverage = world.Kind == SimulatedWorld.Noise ? 0 : (HourlyOverloadRates[h] - BackgroundFailureRate) / (inside - BackgroundFailureRate);
            TargetCoverage[h] = Math.Clamp(coverage, 0, 0.995);
        }

        var ownTarget = TargetCoverage;
        if (leader is not null)
        {
            // The leader's shared episodes cover this model independently of its own ones, so its own episodes need
            // only cover what is left: c = shared + own × (1 − shared).
            var leaderCoverage = leader.ExpectedCoverage();
            ownTarget = new double[24];
            for (var h = 0; h < 24; h++)
            {
                SharedCoverage[h] = world.SharedShare * leaderCoverage[h];
                ownTarget[h] = Math.Max(0, (TargetCoverage[h] - SharedCoverage[h]) / (1 - SharedCoverage[h]));
            }
        }

        _startRates = EpisodeCalibration.GetStartRates(ownTarget, _mu, _sigma, (int)Math.Ceiling(_maxMinutes));
    }

    public string ModelId { get; }

    public ulong ModelHash { get; }

    public double[] HourlyOverloadRates { get; }

    public double[] TargetCoverage { get; }

    /// <summary>Per hour, the share of time the leader's shared episodes are expected to cover (zero without a leader).</summary>
    public double[] SharedCoverage { get; }

    public double EpisodeFailureRate { get; }

    public double BackgroundFailureRate { get; }

    public Dictionary<string, SimulatedLatency> Latency { get; }

    public SimulatedLatency FastFailureLatency { get; }

    public SimulatedImageFormat ImageFormat { get; }

    public double ImageTokenPrice { get; }

    public double InputTokenPrice { get; }

    public IReadOnlyList<double> StartRatesPerMinute => _startRates;

    /// <summary>Whether the model is inside an overload episode, its own or one shared from the leader.</summary>
    public bool IsOverloaded(DateTimeOffset time) => FindOwnEpisode(time) is not null || FindSharedEpisode(time) is not null;

    /// <summary>The chance that a request arriving at <paramref name="time"/> is answered 503: the world's state, not its dice.</summary>
    public double GetFailureRate(DateTimeOffset time)
    {
        if (_world.Kind == SimulatedWorld.Noise)
        {
            return HourlyOverloadRates[time.UtcDateTime.Hour];
        }

        if (FindOwnEpisode(time) is { } own)
        {
            return ShedShare(own.Start);
        }

        return FindSharedEpisode(time) is not null ? EpisodeFailureRate : BackgroundFailureRate;
    }

    /// <summary>The expected share of each UTC hour spent inside this model's own episodes.</summary>
    public double[] ExpectedCoverage() => EpisodeCalibration.ExpectedCoverage(_startRates, _mu, _sigma, (int)Math.Ceiling(_maxMinutes));

    public List<SimulatedOverloadEpisode> GetEpisodes(DateTimeOffset from, DateTimeOffset to)
    {
        var spans = OwnEpisodes(from, to);
        if (_leader is not null)
        {
            spans.AddRange(_leader.OwnEpisodes(from, to).Where(IsShared));
        }

        // Days are generated independently, so an episode spilling past midnight may overlap the next day's first
        // one; shared episodes may overlap this model's own. Overlaps are listed as one episode.
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        var result = new List<SimulatedOverloadEpisode>();
        foreach (var (start, end) in spans)
        {
            if (result.Count > 0 && start <= result[^1].End.UtcTicks)
            {
                var last = result[^1];
                result[^1] = last with { End = end > last.End.UtcTicks ? At(end) : last.End };
            }
            else
            {
                result.Add(new SimulatedOverloadEpisode(At(start), At(end)));
            }
        }

        return result;
    }

    public SimulatedLatency GetLatency(string imageSize) =>
        Latency.TryGetValue(imageSize, out var latency) ? latency :
        Latency.TryGetValue("1K", out latency) ? latency :
        new SimulatedLatency(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(20));

    private static DateTimeOffset At(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    /// <summary>This model's own episodes intersecting [from, to), as absolute UTC ticks, in order of start.</summary>
    private List<(long Start, long End)> OwnEpisodes(DateTimeOffset from, DateTimeOffset to)
    {
        var result = new List<(long Start, long End)>();
        var (firstDay, _) = Split(from);
        var (lastDay, _) = Split(to);
        for (var day = firstDay - 1; day <= lastDay; day++)
        {
            var origin = DateTimeOffset.UnixEpoch.AddDays(day).UtcTicks;
            foreach (var span in GetDay(day))
            {
                var (start, end) = (origin + span.Start, origin + span.End);
                if (end > from.UtcTicks && start < to.UtcTicks)
                {
                    result.Add((start, end));
                }
            }
        }

        return result;
    }

    /// <summary>This model's own episode containing <paramref name="time"/>, as absolute UTC ticks.</summary>
    private (long Start, long End)? FindOwnEpisode(DateTimeOffset time)
    {
        if (_world.Kind == SimulatedWorld.Noise)
        {
            return null;
        }

        // An episode can spill over from the day before (it is at most MaxEpisodeDuration long, under a day).
        var (day, ticks) = Split(time);
        var origin = time.UtcTicks - ticks;
        return Find(GetDay(day), ticks, origin) ?? Find(GetDay(day - 1), ticks + TimeSpan.TicksPerDay, origin - TimeSpan.TicksPerDay);
    }

    private (long Start, long End)? FindSharedEpisode(DateTimeOffset time)
        => _leader?.FindOwnEpisode(time) is { } episode && IsShared(episode) ? episode : null;

    /// <summary>Whether one of this (follower's) leader's episodes is shared: a draw keyed by the episode, so every run agrees.</summary>
    private bool IsShared((long Start, long End) leaderEpisode)
        => new DeterministicRandom(DeterministicRandom.Combine(_episodeSeed, (ulong)leaderEpisode.Start)).NextDouble() < _world.SharedShare;

    /// <summary>The share of requests an own episode sheds: fixed, or in the partial world drawn per episode.</summary>
    private double ShedShare(long episodeStart)
        => _world.Kind != SimulatedWorld.Partial ? EpisodeFailureRate
            : _world.PartialMinimum + ((_world.PartialMaximum - _world.PartialMinimum) * new DeterministicRandom(DeterministicRandom.Combine(_episodeSeed, (ulong)episodeStart)).NextDouble());

    private static (long Start, long End)? Find(EpisodeSpan[] spans, long ticks, long origin)
    {
        foreach (var span in spans)
        {
            if (ticks < span.Start)
            {
                return null;
            }

            if (ticks < span.End)
            {
                return (origin + span.Start, origin + span.End);
            }
        }

        return null;
    }

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

/// <summary>The world's kind and its parameters, as read from the options once.</summary>
internal sealed record WorldSettings(SimulatedWorld Kind, double PartialMinimum, double PartialMaximum, double SharedShare)
{
    public static WorldSettings From(SimulatedGeminiOptions options)
        => new(options.World, options.PartialSheddingMinimum, options.PartialSheddingMaximum, options.SharedOverloadShare);
}
