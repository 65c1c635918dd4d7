using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NanoBananaResilience;

/// <summary>
/// Every route of one engine: the gateways, and for each model the routes through the gateways that serve it, built
/// once and shared by every call so that health sees all traffic. Bounded: models named per call get routes of their
/// own only while <see cref="ModelKeys"/> has room; past that a call runs on throwaway routes that join nothing.
/// </summary>
internal sealed class RouteRegistry
{
    private readonly NanoBananaOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _random;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly INanoBananaSharedState? _shared;
    private readonly CallTelemetry _telemetry;
    private readonly ConcurrentDictionary<string, Route[]> _routes = new(StringComparer.Ordinal);
    private readonly string _firstModel;

    public RouteRegistry(NanoBananaOptions options, IReadOnlyList<ModelOptions> chain, ModelKeys keys, CallTelemetry telemetry, TimeProvider timeProvider, Func<double> random, ILoggerFactory loggerFactory, INanoBananaSharedState? shared)
    {
        _telemetry = telemetry;
        _logger = telemetry.Logger;
        _options = options;
        _timeProvider = timeProvider;
        _random = random;
        _loggerFactory = loggerFactory;
        _shared = shared;
        _firstModel = chain[0].Id;
        Keys = keys;
        var gateways = options.GetEffectiveGateways();
        var named = options.Gateways.Count > 0;
        Gateways = [.. gateways.Select(g => new GatewayEndpoint(
            g,
            named,
            options,
            timeProvider,
            gateways.Count > 1 ? new ModelHealth($"gateway {g.Name}", options.CircuitBreaker, options.AttemptTimeout, _logger) : null))];
        foreach (var model in chain)
        {
            _ = RoutesOf(model);
        }
    }

    /// <summary>The keys every per-model table goes through, this registry's among them.</summary>
    public ModelKeys Keys { get; }

    public IReadOnlyList<GatewayEndpoint> Gateways { get; }

    /// <summary>Every route built so far, for health reports.</summary>
    public IEnumerable<Route> All => _routes.Values.SelectMany(r => r);

    /// <summary>The routes of a model, in the order of the configured gateways.</summary>
    public IReadOnlyList<Route> RoutesOf(ModelOptions model)
    {
        if (_routes.TryGetValue(model.Id, out var routes))
        {
            return routes;
        }

        var key = Keys.Admit(model.Id);
        return key == ModelKeys.Overflow ? Build(model, key) : _routes.GetOrAdd(model.Id, _ => Build(model, key));
    }

    /// <summary>The routes of a model by id; a model named only per call is tried once per gateway.</summary>
    public IReadOnlyList<Route> RoutesOf(string modelId)
        => _routes.TryGetValue(modelId, out var routes) ? routes : RoutesOf(new ModelOptions { Id = modelId, MaxAttempts = 1 });

    /// <summary>
    /// The order one call tries a model's routes in: as configured, or drawn by weight without replacement, so every
    /// gateway stays a fallback for the others.
    /// </summary>
    public IReadOnlyList<Route> Order(ModelOptions model)
    {
        var routes = RoutesOf(model);
        if (_options.GatewaySelection != GatewaySelection.Weighted || routes.Count < 2)
        {
            return routes;
        }

        var left = routes.ToList();
        var order = new List<Route>(left.Count);
        while (left.Count > 0)
        {
            var total = left.Sum(r => r.Gateway.Options.Weight);
            var draw = _random() * total;
            var pick = left.Count - 1;
            for (var i = 0; i < left.Count; i++)
            {
                draw -= left[i].Gateway.Options.Weight;
                if (draw < 0)
                {
                    pick = i;
                    break;
                }
            }

            order.Add(left[pick]);
            left.RemoveAt(pick);
        }

        return order;
    }

    /// <summary>
    /// Whether no route of the model may be tried now (each down with no probe slot come, or cooling down): the
    /// planner then moves it behind the models that can be tried.
    /// </summary>
    public bool IsResting(string modelId, DateTimeOffset now) => RoutesOf(modelId).All(r => r.RestingUntil(now) is not null);

    private Route[] Build(ModelOptions model, string key)
    {
        // A model only a call names goes through the gateways that serve every model; if every gateway lists its
        // models, through the first, which at least says clearly what it thinks of the id.
        var serving = Gateways.Where(g => g.Serves(model.Id)).ToList();
        if (serving.Count == 0)
        {
            serving.Add(Gateways[0]);
        }

        return [.. serving.Select(gateway => BuildRoute(gateway, model, key, serving.Count > 1))];
    }

    private Route BuildRoute(GatewayEndpoint gateway, ModelOptions model, string key, bool hasAlternatives)
    {
        var priced = gateway.Priced(model);
        var instance = Route.NameOf(key, gateway.Name);

        // Ids past the key cap get throwaway health for one call: it does not join the fleet's.
        var fleet = key == ModelKeys.Overflow ? null : _shared;
        var health = new ModelHealth(Route.NameOf(model.Id, gateway.Name), _options.CircuitBreaker, _options.AttemptTimeout, _logger, fleet, learnsHours: true);
        var context = new RouteContext(health, gateway.Reachability, hasAlternatives, _telemetry);
        var clock = PeakWindow.From(_options.PeakHours);
        var hours = _options.PeakHours.Mode == PeakHoursMode.Adaptive
            ? new HourlyChances(hour => AdaptiveChainOrder.Prior(clock, _firstModel, model.Id, hour))
            : null;
        return new Route(
            gateway,
            priced,
            health,
            ModelPipelineFactory.Create(priced, instance, _options, context, _timeProvider, _random, _loggerFactory),
            ModelPipelineFactory.CreateProbe(instance, _options, _timeProvider, _loggerFactory),
            ModelPipelineFactory.Create(priced, instance, _options, context, _timeProvider, _random, _loggerFactory, throughDown: true),
            hours);
    }
}

/// <summary>
/// What a route's retry strategy reads besides the attempt: the model's health on the route, the gateway's
/// reachability, whether another gateway serves the model (so an unreachable gateway is not retried), and where the
/// records of its retries are reported.
/// </summary>
internal sealed record RouteContext(ModelHealth Health, ModelHealth? Reachability, bool HasOtherGateways, CallTelemetry Telemetry);
