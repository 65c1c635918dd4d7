namespace NanoBananaResilience;

/// <summary>
/// The model's link to state shared with other processes (<see cref="INanoBananaSharedState"/>): this process's
/// judgements go out when they happen (judged down, a failed probe's next slot, an answer that ends an outage, a
/// server's cooldown), a probe slot is claimed for the fleet, and a decision refreshes the fleet's view. Changes made
/// elsewhere come in through <see cref="ApplyFleet"/>, which sets the state directly and never reports it back.
/// </summary>
internal sealed partial class ModelHealth
{
    private readonly INanoBananaSharedModelHealth? _fleet;

    /// <summary>
    /// Another process changed the model's health: a judgement of down extends what this process knows (a probe slot
    /// is never brought forward), a recovery marks the model up, a cooldown is only ever extended; calls waiting for
    /// the model look again.
    /// </summary>
    internal void ApplyFleet(SharedModelHealth fleet)
    {
        lock (_gate)
        {
            if (fleet.IsOpen)
            {
                // The other process's trip time is not sent; its first probe slot tells it to within BreakDuration.
                _downSince ??= fleet.OpenUntil - _options.BreakDuration;
                _evidence = Math.Max(_evidence, _options.MinimumThroughput);
                _consecutiveDowns = Math.Max(_consecutiveDowns, fleet.ConsecutiveTrips);
                if (fleet.OpenUntil > _nextProbe)
                {
                    _nextProbe = fleet.OpenUntil;
                }
            }
            else if (_downSince is not null)
            {
                _downSince = null;
                _probeClaimedAt = null;
                _consecutiveDowns = 0;
                _evidence = Math.Max(0, _evidence - _successWeight);
            }

            if (fleet.CoolUntil > _coolUntil)
            {
                _coolUntil = fleet.CoolUntil;
            }
        }

        Changed();
    }

    /// <summary>
    /// An admission of a model joined to the fleet: it first waits for the fleet's view read when the model joined (the
    /// store's operation timeout bounds the read, and the call's token the wait), so that no decision is made on a view
    /// older than the fleet's and no thread is held meanwhile. Once the read is in, the wait returns at once and the
    /// admission completes as synchronously as without a fleet. The call ending first throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    private async ValueTask<Admission> AdmitJoinedAsync(INanoBananaSharedModelHealth fleet, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await fleet.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await AdmitOnWhatIsKnown(now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tells the fleet what this process just judged; nothing when no fleet is joined.</summary>
    private void Publish(Transition transition, DateTimeOffset now)
    {
        if (_fleet is null)
        {
            return;
        }

        DateTimeOffset? until;
        int downs;
        lock (_gate)
        {
            until = _downSince is null ? null : _nextProbe > now ? _nextProbe : now;
            downs = _consecutiveDowns;
        }

        switch (transition)
        {
            case Transition.Down or Transition.ProbeFailed when until is { } next:
                _fleet.Opened(next, downs);
                break;
            case Transition.Up:
                _fleet.Closed();
                break;
        }
    }
}
