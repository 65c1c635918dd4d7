namespace NanoBananaResilience;

/// <summary>The state of one model's circuit breaker, as <see cref="ModelStatus.BreakerState"/> reports it.</summary>
/// <remarks>The library's own type, so that the public API does not depend on the resilience library behind it.</remarks>
public enum ModelBreakerState
{
    /// <summary>Calls go to the model.</summary>
    Closed = 0,

    /// <summary>The model failed too often; calls skip it until the break ends (see <see cref="ModelStatus.RestingUntil"/>).</summary>
    Open = 1,

    /// <summary>The break ended; the next call is a probe that closes the breaker on success or opens it again on failure.</summary>
    HalfOpen = 2,
}
