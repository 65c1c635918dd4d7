using Polly.CircuitBreaker;

namespace NanoBananaResilience;

/// <summary>One model's health as the client sees it: for health endpoints and dashboards.</summary>
/// <param name="Model">The model id.</param>
/// <param name="BreakerState">The state of its circuit breaker.</param>
/// <param name="RestingUntil">When it may be tried again, if it is resting (breaker open or server cooldown).</param>
public sealed record ModelStatus(string Model, CircuitState BreakerState, DateTimeOffset? RestingUntil);
