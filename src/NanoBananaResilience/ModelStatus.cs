namespace NanoBananaResilience;

/// <summary>One model's health as the client sees it: for health endpoints and dashboards.</summary>
public sealed class ModelStatus
{
    // Internal so that a field can be added without breaking callers; tests build statuses with NanoBananaModelFactory.
    internal ModelStatus(string model, ModelBreakerState breakerState, DateTimeOffset? restingUntil, string? gateway = null)
    {
        Gateway = gateway;
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        BreakerState = breakerState;
        RestingUntil = restingUntil;
    }

    /// <summary>Gets the model id.</summary>
    public string Model { get; }

    /// <summary>Gets the gateway of this route, or <see langword="null"/> without named gateways.</summary>
    public string? Gateway { get; }

    /// <summary>Gets the state of the model's circuit breaker.</summary>
    public ModelBreakerState BreakerState { get; }

    /// <summary>Gets when the model may be tried again, if it is resting (breaker open or server cooldown); otherwise <see langword="null"/>.</summary>
    public DateTimeOffset? RestingUntil { get; }

    /// <inheritdoc />
    public override string ToString()
        => RestingUntil is { } until
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Route}: {BreakerState}, resting until {until:O}")
            : $"{Route}: {BreakerState}";

    private string Route => Gateway is null ? Model : $"{Model} via {Gateway}";
}
