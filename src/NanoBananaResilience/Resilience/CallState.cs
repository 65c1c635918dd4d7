namespace NanoBananaResilience;

/// <summary>
/// The state of one call as it walks the chain: its deadline, the trail, and the attempt whose record is still
/// open (its wait and decision are known only after the retry strategy has decided). One per call; not shared.
/// </summary>
internal sealed class CallState(NanoBananaRequest request, DateTimeOffset deadline, CancellationToken callerToken)
{
    private readonly List<AttemptRecord> _trail = [];
    private Pending? _pending;

    public NanoBananaRequest Request { get; } = request;

    public DateTimeOffset Deadline { get; } = deadline;

    public CancellationToken CallerToken { get; } = callerToken;

    /// <summary>The route whose run is under way.</summary>
    public Route Route { get; set; } = null!;

    /// <summary>The retry predicate's verdict on the latest attempt, read by the delay generator, the retry callback and the walker.</summary>
    public RetryDecision Decision { get; set; }

    public AttemptResult? LastResult { get; private set; }

    public IReadOnlyList<AttemptRecord> Trail => _trail;

    /// <summary>
    /// Whether a route already answered this call with a billed 200 that held no image: asking it again in a later round
    /// would buy another such answer (a gateway that strips images does so every time), so the call does not.
    /// </summary>
    public bool AnsweredWithoutImage(Route route) => _trail.Any(a => Is(a, route) && a.Outcome == AttemptOutcome.NoImage);

    /// <summary>How many of this call's answers on a route could not be read (protocol errors), the open attempt's included.</summary>
    public int ProtocolErrorsOn(Route route)
        => _trail.Count(a => Is(a, route) && a.Outcome == AttemptOutcome.ProtocolError)
            + (_pending is { } p && p.Route == route && p.Outcome == AttemptOutcome.ProtocolError ? 1 : 0);

    /// <summary>How many requests this call has sent to a route, the attempt still open included.</summary>
    public int SentTo(Route route)
        => _trail.Count(a => Is(a, route) && a.Outcome is not (AttemptOutcome.CircuitOpen or AttemptOutcome.BudgetExceeded))
            + (_pending is { } p && p.Route == route ? 1 : 0);

    public void SetPending(Route route, AttemptOutcome outcome, int? status, string? providerStatus, TimeSpan elapsed, string detail, AttemptResult? result)
    {
        _pending = new Pending(route, outcome, status, providerStatus, elapsed, detail);
        if (result is not null)
        {
            LastResult = result;
        }
    }

    /// <summary>Closes the open record with what followed it.</summary>
    public AttemptRecord? Commit(AttemptDecision decision, TimeSpan waited = default, WaitReason reason = WaitReason.None, string? why = null)
    {
        if (_pending is not { } p)
        {
            return null;
        }

        _pending = null;
        var detail = why is null ? p.Detail : $"{p.Detail} → {why}";
        var record = new AttemptRecord(p.Route.ModelId, p.Outcome, p.Status, p.ProviderStatus, p.Elapsed, waited, reason, decision, detail, p.Route.Gateway.Name);
        _trail.Add(record);
        return record;
    }

    /// <summary>Adds a step that sent nothing (a route down or cooling down, the budget, or a wait for a route to reopen).</summary>
    public AttemptRecord AddSkipped(string model, string? gateway, AttemptOutcome outcome, string detail, TimeSpan waited = default, WaitReason reason = WaitReason.None)
    {
        var record = new AttemptRecord(model, outcome, null, null, TimeSpan.Zero, waited, reason, AttemptDecision.NextModel, detail, gateway);
        _trail.Add(record);
        return record;
    }

    private static bool Is(AttemptRecord record, Route route) => record.Model == route.ModelId && record.Gateway == route.Gateway.Name;

    private readonly record struct Pending(Route Route, AttemptOutcome Outcome, int? Status, string? ProviderStatus, TimeSpan Elapsed, string Detail);
}
