namespace NanoBananaResilience;

/// <summary>
/// A gateway as the engine uses it: its name, how it sends an attempt, how it spells and prices the chain's models,
/// and — when there are several gateways — whether it can be reached at all. One per configured gateway.
/// </summary>
internal sealed class GatewayEndpoint
{
    public GatewayEndpoint(GatewayOptions options, bool named, NanoBananaOptions client, TimeProvider timeProvider, ModelHealth? reachability)
    {
        Options = options;
        Name = named ? options.Name : null;
        Sender = new AttemptSender(options, client, timeProvider);
        Reachability = reachability;
    }

    public GatewayOptions Options { get; }

    /// <summary>The name the trail and telemetry use; <see langword="null"/> for the one gateway of the single-address form.</summary>
    public string? Name { get; }

    public AttemptSender Sender { get; }

    /// <summary>
    /// Whether the gateway itself answers: any HTTP response counts as an answer, a refused or failed connection as a
    /// failure, a refused key rests it. Judged down, it rests every route through it. <see langword="null"/> when it
    /// is the only gateway: then the models' own health says all there is to say.
    /// </summary>
    public ModelHealth? Reachability { get; }

    public bool Serves(string modelId)
        => Options.Models.Count == 0 || Options.Models.Contains(modelId, StringComparer.OrdinalIgnoreCase);

    /// <summary>The id this gateway expects on the wire for a model of the chain.</summary>
    public string WireId(string modelId) => Options.ModelIds.TryGetValue(modelId, out var wire) ? wire : modelId;

    /// <summary>The model as priced through this gateway: its own price for the model, if it names one.</summary>
    public ModelOptions Priced(ModelOptions model)
    {
        if (!Options.PricePerImageUsd.TryGetValue(model.Id, out var price))
        {
            return model;
        }

        // The gateway's price replaces the model's whole price table for this route: a per-size table of another
        // provider says nothing about what this one charges.
        return new ModelOptions { Id = model.Id, MaxAttempts = model.MaxAttempts, PricePerImageUsd = price };
    }

    /// <summary>
    /// What an attempt says about the gateway, in the words <see cref="ModelHealth"/> reads: an HTTP answer of any kind
    /// is an answer; a connection that failed before any status (refused, reset, no such host) counts as a failure the
    /// way an overload does; a timeout says nothing about the gateway that the model's own health does not already hear.
    /// </summary>
    public static AttemptOutcome? ReachabilityOf(AttemptResult? attempt) => attempt switch
    {
        { StatusCode: not null } => AttemptOutcome.Success,
        { Outcome: AttemptOutcome.ServerError } => AttemptOutcome.Overloaded,
        _ => null,
    };

    public override string ToString() => Name ?? "(single gateway)";
}
