namespace NanoBananaResilience.Testing.Internal;

/// <summary>What the simulation decided for one request, before the latency is waited.</summary>
internal sealed record SimulatedAnswer(
    string Model,
    SimulatedOutcome Outcome,
    int StatusCode,
    string MediaType,
    byte[] Body,
    TimeSpan Latency);
