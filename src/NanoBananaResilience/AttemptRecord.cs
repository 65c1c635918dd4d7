using System.Globalization;

namespace NanoBananaResilience;

/// <summary>One step of a call: a request sent to a route (or skipped because it rests), and what followed.</summary>
public sealed class AttemptRecord
{
    // Internal so that a field can be added without breaking callers; tests build records with NanoBananaModelFactory.
    /// <param name="model">The model id.</param>
    /// <param name="outcome">The class of the outcome.</param>
    /// <param name="statusCode">The HTTP status, when a response came.</param>
    /// <param name="providerStatus">The provider's status word, such as <c>UNAVAILABLE</c>.</param>
    /// <param name="elapsed">How long the attempt took.</param>
    /// <param name="waited">How long the client waited after it.</param>
    /// <param name="waitReason">Why it waited.</param>
    /// <param name="decision">What the client did next.</param>
    /// <param name="detail">A short human-readable explanation.</param>
    /// <param name="gateway">The gateway the request went through, or <see langword="null"/> without named gateways.</param>
    internal AttemptRecord(
        string model,
        AttemptOutcome outcome,
        int? statusCode,
        string? providerStatus,
        TimeSpan elapsed,
        TimeSpan waited,
        WaitReason waitReason,
        AttemptDecision decision,
        string? detail,
        string? gateway = null)
    {
        Gateway = gateway;
        Model = model;
        Outcome = outcome;
        StatusCode = statusCode;
        ProviderStatus = providerStatus;
        Elapsed = elapsed;
        Waited = waited;
        WaitReason = waitReason;
        Decision = decision;
        Detail = detail;
    }

    /// <summary>Gets the model id the attempt went to.</summary>
    public string Model { get; }

    /// <summary>
    /// Gets the name of the gateway the attempt went through (<see cref="GatewayOptions.Name"/>), or
    /// <see langword="null"/> when the client has one <see cref="NanoBananaOptions.BaseAddress"/> and no named gateways.
    /// With <see cref="Model"/> it names the route.
    /// </summary>
    public string? Gateway { get; }

    /// <summary>Gets the class of the outcome.</summary>
    public AttemptOutcome Outcome { get; }

    /// <summary>Gets the HTTP status code, or <see langword="null"/> when no response came (timeout, connection failure, breaker open).</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the provider's status word (<c>UNAVAILABLE</c>, <c>RESOURCE_EXHAUSTED</c>, a finish reason …), when it gave one.</summary>
    public string? ProviderStatus { get; }

    /// <summary>Gets how long the attempt took, from send to the last byte of the body.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets how long the client waited after this attempt before the next one.</summary>
    public TimeSpan Waited { get; }

    /// <summary>Gets why the client waited.</summary>
    public WaitReason WaitReason { get; }

    /// <summary>Gets what the client did after this attempt.</summary>
    public AttemptDecision Decision { get; }

    /// <summary>Gets a short explanation, for example why the walker moved on.</summary>
    public string? Detail { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var status = StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-";
        var wait = Waited > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $", waited {Waited.TotalMilliseconds:0} ms ({WaitReason})") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{Model}{(Gateway is null ? string.Empty : " via " + Gateway)}: {Outcome} ({status}) in {Elapsed.TotalMilliseconds:0} ms{wait} → {Decision}{(Detail is null ? string.Empty : ": " + Detail)}");
    }
}
