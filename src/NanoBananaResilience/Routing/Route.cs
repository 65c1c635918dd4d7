using Polly;

namespace NanoBananaResilience;

/// <summary>
/// One model through one gateway: what a call sends attempts to. It owns the model's health on that gateway and the
/// pipelines its runs go through; whether it may be used now combines its health with its gateway's reachability.
/// </summary>
internal sealed class Route(
    GatewayEndpoint gateway,
    ModelOptions model,
    ModelHealth health,
    ResiliencePipeline<AttemptResult> pipeline,
    ResiliencePipeline<AttemptResult> probePipeline,
    ResiliencePipeline<AttemptResult> throughDownPipeline,
    HourlyChances? hours = null)
{
    public GatewayEndpoint Gateway { get; } = gateway;

    /// <summary>The chain's model, priced as this gateway charges it.</summary>
    public ModelOptions Model { get; } = model;

    public string ModelId => Model.Id;

    /// <summary>The id sent to the gateway.</summary>
    public string WireId { get; } = gateway.WireId(model.Id);

    /// <summary>The model's health on this gateway alone.</summary>
    public ModelHealth Health { get; } = health;

    public ResiliencePipeline<AttemptResult> Pipeline { get; } = pipeline;

    public ResiliencePipeline<AttemptResult> ProbePipeline { get; } = probePipeline;

    public ResiliencePipeline<AttemptResult> ThroughDownPipeline { get; } = throughDownPipeline;

    /// <summary>What the route's requests have done per UTC hour; only in <see cref="PeakHoursMode.Adaptive"/>.</summary>
    public HourlyChances? Hours { get; } = hours;

    /// <summary>
    /// The route's name where one name is needed (health, logs, shared state): the model id, with <c>@gateway</c>
    /// when the client has named gateways.
    /// </summary>
    public static string NameOf(string modelId, string? gatewayName) => gatewayName is null ? modelId : $"{modelId}@{gatewayName}";

    /// <summary>
    /// What a call may do with the route now. The gateway is asked first: when it is judged unreachable or its key was
    /// refused, the model's own health is not consulted (and its probe slot not taken). A probe slot taken on one and
    /// not needed because the other says skip (or because the call ended meanwhile) is handed back at once.
    /// </summary>
    public async ValueTask<RoutePass> AdmitAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var gate = Gateway.Reachability is { } reachability ? await reachability.AdmitAsync(now, cancellationToken).ConfigureAwait(false) : Admission.Send;
        if (gate == Admission.Skip)
        {
            return RoutePass.Skip;
        }

        var own = Admission.Skip;
        try
        {
            own = await Health.AdmitAsync(now, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (own == Admission.Skip && gate == Admission.Probe)
            {
                Gateway.Reachability!.ReleaseProbe();
            }
        }

        return own == Admission.Skip ? RoutePass.Skip : new RoutePass(own, gate);
    }

    /// <summary>Hands back the probe slots a pass took and did not use (the budget refused it, the call ended).</summary>
    public void Release(RoutePass pass)
    {
        if (pass.Route == Admission.Probe)
        {
            Health.ReleaseProbe();
        }

        if (pass.Gateway == Admission.Probe)
        {
            Gateway.Reachability!.ReleaseProbe();
        }
    }

    /// <summary>Until when the route rests: the later of its own rest and its gateway's; null when it does not.</summary>
    public DateTimeOffset? RestingUntil(DateTimeOffset now)
    {
        var own = Health.RestingUntil(now);
        var gate = Gateway.Reachability?.RestingUntil(now);
        return own is null ? gate : gate is null ? own : own > gate ? own : gate;
    }

    /// <summary>
    /// Whether only the model's outage judgement keeps the route off, so a stranded call may spend its attempts on it:
    /// never past a server's cooldown, and never through a gateway that cannot be reached.
    /// </summary>
    public bool IsOnlyDown(DateTimeOffset now) => Health.IsOnlyDown(now) && Gateway.Reachability?.IsResting(now) != true;

    /// <summary>Completes at the next change of the route's or its gateway's health.</summary>
    public Task WhenChanged() => Gateway.Reachability is { } gate ? Task.WhenAny(Health.WhenChanged(), gate.WhenChanged()) : Health.WhenChanged();

    public override string ToString() => NameOf(ModelId, Gateway.Name);
}

/// <summary>A call's admission to a route: what the model's health and the gateway's reachability each said.</summary>
internal readonly record struct RoutePass(Admission Route, Admission Gateway)
{
    public static RoutePass Skip { get; } = new(Admission.Skip, Admission.Skip);

    public bool IsSkip => Route == Admission.Skip || Gateway == Admission.Skip;

    /// <summary>One request and no retry: the model or the gateway is down and this call holds its probe slot.</summary>
    public bool IsProbe => !IsSkip && (Route == Admission.Probe || Gateway == Admission.Probe);
}
