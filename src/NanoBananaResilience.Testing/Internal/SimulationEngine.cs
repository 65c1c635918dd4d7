using System.Globalization;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// Decides the answer to a request from the options, the model's world and the request time. Pure apart from two
/// counters (requests at the same instant, response-shape rotation), so it is testable without HTTP.
/// </summary>
internal sealed class SimulationEngine
{
    private static readonly SimulatedResponseShape[] AllShapes = Enum.GetValues<SimulatedResponseShape>();

    private readonly Dictionary<string, ModelWorld> _worlds;
    private readonly ulong _seed;
    private readonly SimulatedResponseShape _shape;
    private readonly bool _rotateShapes;
    private readonly double _badGatewayRate;
    private readonly double _rateLimitRate;
    private readonly double _dailyQuotaRate;
    private readonly double _safetyBlockRate;
    private readonly double _noImageRate;
    private readonly Dictionary<string, (long Ticks, ulong Ordinal)> _lastArrival = new(StringComparer.Ordinal);
    private long _shapeCounter;

    public SimulationEngine(SimulatedGeminiOptions options)
    {
        _seed = DeterministicRandom.Mix((ulong)(uint)options.Seed);
        _shape = options.ResponseShape;
        _rotateShapes = options.RotateResponseShapes;
        _badGatewayRate = options.BadGatewayRate;
        _rateLimitRate = options.RateLimitRate;
        _dailyQuotaRate = options.DailyQuotaRate;
        _safetyBlockRate = options.SafetyBlockRate;
        _noImageRate = options.NoImageRate;
        _worlds = CreateWorlds(options);
    }

    /// <summary>
    /// One world per model. In the shared world the most overloaded model (the highest mean hourly rate; the first of
    /// equals) leads: a share of its episodes hit every other model too.
    /// </summary>
    private static Dictionary<string, ModelWorld> CreateWorlds(SimulatedGeminiOptions options)
    {
        var settings = WorldSettings.From(options);
        var worlds = new Dictionary<string, ModelWorld>(StringComparer.Ordinal);
        var leaderId = settings.Kind == SimulatedWorld.Shared && options.Models.Count > 1
            ? options.Models.MaxBy(m => m.Value.HourlyOverloadRates.Average()).Key
            : null;
        var leader = leaderId is null ? null : worlds[leaderId] = new ModelWorld(leaderId, options.Models[leaderId], options.Seed, settings);
        foreach (var (modelId, profile) in options.Models)
        {
            if (modelId == leaderId)
            {
                continue;
            }

            var world = worlds[modelId] = new ModelWorld(modelId, profile, options.Seed, settings, leader);
            for (var h = 0; h < 24; h++)
            {
                if (world.SharedCoverage[h] > world.TargetCoverage[h] + 1e-9)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"SimulatedGeminiOptions.SharedOverloadShare is {settings.SharedShare}: sharing that much of '{leaderId}''s overload time would make '{modelId}' fail more often than its hourly rate allows at {h:00}:00 UTC ({world.HourlyOverloadRates[h]}); lower the share or raise that rate."),
                        nameof(options));
                }
            }
        }

        return worlds;
    }

    public bool TryGetWorld(string modelId, out ModelWorld world)
    {
        var found = _worlds.TryGetValue(modelId, out var value);
        world = value!;
        return found;
    }

    public SimulatedAnswer Decide(ChatRequest request, DateTimeOffset now)
    {
        if (!_worlds.TryGetValue(request.ModelId, out var world))
        {
            return new(request.ModelId, SimulatedOutcome.UnknownModel, 404, MediaTypes.Json, WireBodies.UnknownModel(request.RequestedModel), TimeSpan.Zero);
        }

        // Every draw for this request comes from one stream keyed by (seed, model, arrival time, arrival ordinal): the
        // same request at the same virtual instant gets the same answer in every run, whatever ran before it.
        var random = new DeterministicRandom(DeterministicRandom.Combine(_seed, world.ModelHash, (ulong)now.UtcTicks, NextOrdinal(world.ModelId, now)));
        var overloadDraw = random.NextDouble();
        var faultDraw = random.NextDouble();
        var retryDraw = random.NextDouble();
        var responseId = random.NextUInt64();

        var outcome = overloadDraw < world.GetFailureRate(now) ? SimulatedOutcome.Overloaded : PickFault(faultDraw);

        switch (outcome)
        {
            case SimulatedOutcome.Overloaded:
                return new(world.ModelId, outcome, 503, MediaTypes.Json, WireBodies.Overloaded(), Sample(world.FastFailureLatency, ref random));

            case SimulatedOutcome.BadGateway:
                return new(world.ModelId, outcome, 502, MediaTypes.Html, WireBodies.BadGateway(), Sample(world.FastFailureLatency, ref random));

            case SimulatedOutcome.RateLimited:
                var retrySeconds = 5 + (int)(retryDraw * 56);
                return new(world.ModelId, outcome, 429, MediaTypes.Json, WireBodies.RateLimited(world.ModelId, retrySeconds), Sample(world.FastFailureLatency, ref random));

            case SimulatedOutcome.QuotaExhausted:
                return new(world.ModelId, outcome, 429, MediaTypes.Json, WireBodies.DailyQuota(world.ModelId, SecondsToQuotaReset(now)), Sample(world.FastFailureLatency, ref random));
        }

        var shape = _rotateShapes ? AllShapes[(Interlocked.Increment(ref _shapeCounter) - 1) % AllShapes.Length] : _shape;
        var png = world.ImageFormat == SimulatedImageFormat.Png;
        var context = new AnswerContext(
            request.RequestedModel,
            world.ModelId,
            string.Create(CultureInfo.InvariantCulture, $"{now.ToUnixTimeSeconds()}-{responseId:x16}"),
            now.ToUnixTimeSeconds(),
            png ? SampleImages.Png : SampleImages.Jpeg,
            png ? "image/png" : "image/jpeg",
            PromptTokens: Math.Max(1, request.PromptCharacters / 4),
            ImageTokens: ImageTokens(request.ImageSize),
            world.InputTokenPrice,
            world.ImageTokenPrice);

        return new(world.ModelId, outcome, 200, MediaTypes.Json, WireBodies.Answer(shape, outcome, context), Sample(world.GetLatency(request.ImageSize), ref random));
    }

    /// <summary>Gemini's published token counts per image: 1120 up to 2K, 2000 at 4K; 0.5K is half of 1K.</summary>
    private static int ImageTokens(string imageSize) => imageSize.ToUpperInvariant() switch
    {
        "0.5K" => 560,
        "4K" => 2000,
        _ => 1120,
    };

    /// <summary>Daily quotas reset at midnight Pacific time; 08:00 UTC is close enough for a hint that is meant to be "long".</summary>
    private static int SecondsToQuotaReset(DateTimeOffset now)
    {
        var reset = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(8);
        if (reset <= now)
        {
            reset = reset.AddDays(1);
        }

        return (int)Math.Ceiling((reset - now).TotalSeconds);
    }

    private static TimeSpan Sample(SimulatedLatency latency, ref DeterministicRandom random)
    {
        double sum = 0;
        for (var i = 0; i < latency.Concentration; i++)
        {
            sum += random.NextDouble();
        }

        // Whole milliseconds: Task.Delay and most timers work at that resolution, so the wait equals the logged latency.
        var value = latency.Minimum + ((latency.Maximum - latency.Minimum) * (sum / latency.Concentration));
        return TimeSpan.FromMilliseconds(Math.Round(value.TotalMilliseconds));
    }

    private SimulatedOutcome PickFault(double draw)
    {
        if ((draw -= _badGatewayRate) < 0)
        {
            return SimulatedOutcome.BadGateway;
        }

        if ((draw -= _rateLimitRate) < 0)
        {
            return SimulatedOutcome.RateLimited;
        }

        if ((draw -= _dailyQuotaRate) < 0)
        {
            return SimulatedOutcome.QuotaExhausted;
        }

        if ((draw -= _safetyBlockRate) < 0)
        {
            return SimulatedOutcome.ContentBlocked;
        }

        return draw - _noImageRate < 0 ? SimulatedOutcome.NoImage : SimulatedOutcome.Success;
    }

    /// <summary>Distinguishes requests for one model that arrive at the very same instant, as concurrent callers under a virtual clock do.</summary>
    private ulong NextOrdinal(string modelId, DateTimeOffset now)
    {
        lock (_lastArrival)
        {
            var ordinal = _lastArrival.TryGetValue(modelId, out var last) && last.Ticks == now.UtcTicks ? last.Ordinal + 1 : 0;
            _lastArrival[modelId] = (now.UtcTicks, ordinal);
            return ordinal;
        }
    }
}
