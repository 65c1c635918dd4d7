namespace NanoBananaResilience.Testing;

/// <summary>
/// One request the simulated gateway served.
/// </summary>
/// <param name="Timestamp">When the request arrived, by the handler's <see cref="TimeProvider"/>.</param>
/// <param name="Model">The model id as requested (a gateway prefix such as <c>google/</c> removed); empty when the body had none.</param>
/// <param name="Outcome">What the simulation answered.</param>
/// <param name="StatusCode">The HTTP status code of the answer.</param>
/// <param name="Latency">The simulated time the answer took, before any latency scaling.</param>
/// <param name="Canceled">Whether the caller cancelled the request before the answer was ready.</param>
public readonly record struct SimulatedRequestRecord(
    DateTimeOffset Timestamp,
    string Model,
    SimulatedOutcome Outcome,
    int StatusCode,
    TimeSpan Latency,
    bool Canceled);
