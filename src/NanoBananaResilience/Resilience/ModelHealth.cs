using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NanoBananaResilience;

/// <summary>
/// The one owner of a model's health, shared by every call of a client: whether the model is up, down (an outage:
/// almost nothing gets through) or cooling down (a server asked to wait), when a down model is probed next, and how
/// long its recent answers took. Thread-safe; every transition happens under one lock, so there is no copy to drift.
/// </summary>
/// <remarks>
/// <para>
/// <b>Down or noisy.</b> Outcomes feed a one-sided sequential test (a CUSUM) between two hypotheses: the model is up
/// but noisy, failing at most <see cref="CircuitBreakerOptions.FailureRatio"/> of requests at random, or it is down,
/// failing <see cref="DownFailureShare"/> of them. Each failure adds one to the evidence; each success removes as many
/// failures as one success is worth between the two hypotheses (3.6 with the default ratio of 0.5), never below zero.
/// The model is judged down when the evidence reaches <see cref="CircuitBreakerOptions.MinimumThroughput"/> (eight
/// failures in a row with the defaults). A model failing 45% at random gets there about once in a thousand outcomes; one in an
/// outage after eight. A route's health also learns the model's failure share while up in each UTC hour; where that
/// is below the ratio it replaces it in the weighing (a failure then counts more, a success cancels less, in units of
/// failures at the ratio), so an hour in which the model rarely fails judges an outage after two or three failures.
/// While the model is up the evidence halves for every whole
/// <see cref="CircuitBreakerOptions.SamplingDuration"/> without an outcome, so failures from long ago do not add to today's.
/// </para>
/// <para>
/// <b>Sending order.</b> Over HTTP/2 a small 503 overtakes the large successes sent before it, so the first results of a
/// burst are its failures. Outcomes are therefore read in the order their requests were sent: a finished outcome waits
/// while a request sent before it is still in flight. A request out longer than the model's slowest recent answer stops
/// holding the line; its outcome is read whenever it comes.
/// </para>
/// <para>
/// <b>Probes.</b> A down model is skipped without sending. Its first probe comes
/// <see cref="CircuitBreakerOptions.BreakDuration"/> after it went down; each later one after half the outage's age so
/// far, at most <see cref="CircuitBreakerOptions.ProbeInterval"/>: outages that have lasted long tend to last longer,
/// so short ones are noticed within half their length and an hour-long one costs about twenty requests. A probe is
/// one request by the first call that reaches the model once the slot has come; any success marks the model up.
/// </para>
/// </remarks>
internal sealed partial class ModelHealth
{
    /// <summary>The failure share of a model that is down: the overload episodes measured let about 3% through.</summary>
    public const double DownFailureShare = 0.95;

    /// <summary>How many recent answer times a model remembers: enough for a stable maximum, few enough to follow a change.</summary>
    private const int AnswerTimes = 32;

    private readonly object _gate = new();
    private readonly CircuitBreakerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeSpan _attemptTimeout;
    private readonly double _successWeight;
    private readonly double _failureNats;
    private readonly HourlyChances? _usual;
    private readonly TimeSpan[] _answerTimes = new TimeSpan[AnswerTimes];
    private readonly SortedDictionary<long, DateTimeOffset> _inFlight = [];
    private readonly SortedDictionary<long, AttemptOutcome?> _waitingForEarlier = [];
    private int _nextAnswer;
    private int _answersKept;
    private long _nextTicket;
    private double _evidence;
    private DateTimeOffset _evidenceAt;
    private DateTimeOffset? _downSince;
    private DateTimeOffset _nextProbe;
    private DateTimeOffset? _probeClaimedAt;
    private long _probeTicket;
    private DateTimeOffset _coolUntil;
    private int _consecutiveDowns;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>
    /// Creates the model's health, joined to the fleet's when <paramref name="fleet"/> is given. With
    /// <paramref name="learnsHours"/> it learns how noisy the model is in each UTC hour while up, and judges it down
    /// sooner in hours where it rarely fails; without, every model is read as noisy up to
    /// <see cref="CircuitBreakerOptions.FailureRatio"/> at all hours.
    /// </summary>
    public ModelHealth(string modelId, CircuitBreakerOptions options, TimeSpan attemptTimeout, ILogger? logger = null, INanoBananaSharedState? fleet = null, bool learnsHours = false)
    {
        ModelId = modelId;
        _logger = logger ?? NullLogger.Instance;
        _options = options;
        _attemptTimeout = attemptTimeout;
        _successWeight = SuccessWeight(options.FailureRatio);
        _failureNats = FailureNats(NoisyShare(options.FailureRatio));
        _usual = learnsHours ? new HourlyChances(_ => (1 - NoisyShare(options.FailureRatio), UsualPriorWeight)) : null;
        _fleet = fleet?.JoinHealth(modelId, ApplyFleet);
    }

    public string ModelId { get; }

    /// <summary>
    /// How many failures one success cancels: the log-likelihood ratio of a success over that of a failure, between a
    /// model failing <paramref name="noisyFailureShare"/> at random and one failing <see cref="DownFailureShare"/>.
    /// </summary>
    internal static double SuccessWeight(double noisyFailureShare)
    {
        var noisy = NoisyShare(noisyFailureShare);
        return Math.Log((1 - noisy) / (1 - DownFailureShare)) / FailureNats(noisy);
    }

    // A "noisy" share at or past the down share would never trip.
    private static double NoisyShare(double share) => Math.Min(share, 0.9);

    /// <summary>The log-likelihood ratio of one failure, down against noisy.</summary>
    private static double FailureNats(double noisy) => Math.Log(DownFailureShare / noisy);

    /// <summary>The least failure share the test assumes of a model that is up, however rarely it has failed.</summary>
    internal const double QuietestShare = 0.05;

    /// <summary>
    /// How many outcomes the configured ratio weighs in an hour's learned share: a fresh client judges as if every
    /// model were as noisy as the ratio allows, and an hour's own outcomes take over within a few dozen.
    /// </summary>
    internal const double UsualPriorWeight = 4;

    /// <summary>
    /// What one failure and one success are worth now, in failures at the configured ratio: the hour's learned failure
    /// share while up (never above the configured ratio, never below <see cref="QuietestShare"/>) is the noisy
    /// hypothesis. A model that fails one request in ten in this hour is judged down after three failures in a row; one
    /// as noisy as the configured ratio after <see cref="CircuitBreakerOptions.MinimumThroughput"/>, as without learning.
    /// </summary>
    private (double Failure, double Success) WeightsLocked(DateTimeOffset now)
    {
        if (_usual is null)
        {
            return (1, _successWeight);
        }

        var noisy = Math.Clamp(1 - _usual.Mean(now), QuietestShare, NoisyShare(_options.FailureRatio));
        return (FailureNats(noisy) / _failureNats, Math.Log((1 - noisy) / (1 - DownFailureShare)) / _failureNats);
    }

    /// <summary>The evidence that the model is down, in failures; for tests and diagnostics.</summary>
    internal double Evidence
    {
        get
        {
            lock (_gate)
            {
                return _evidence;
            }
        }
    }

    /// <summary>The model's state for health checks.</summary>
    public ModelBreakerState State(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _downSince is null && _coolUntil <= now ? ModelBreakerState.Closed
                : _downSince is not null && ProbeInFlight(now) ? ModelBreakerState.HalfOpen
                : ModelBreakerState.Open;
        }
    }

    /// <summary>Whether the model is down (not merely cooling down), for the trail and health checks.</summary>
    public bool IsDown
    {
        get
        {
            lock (_gate)
            {
                return _downSince is not null;
            }
        }
    }

    /// <summary>
    /// When the model may be tried again — its next probe, or the end of a server's cooldown, whichever is later — or
    /// <see langword="null"/> when it may be tried now.
    /// </summary>
    public DateTimeOffset? RestingUntil(DateTimeOffset now)
    {
        _fleet?.Refresh(now);
        lock (_gate)
        {
            var until = _coolUntil;
            if (_downSince is not null)
            {
                until = Later(until, ProbeInFlight(now) ? now + _attemptTimeout : _nextProbe);
            }

            return until > now ? until : null;
        }
    }

    /// <summary>Whether a call mid-way on this model must stop retrying it: it went down or a server asked to wait.</summary>
    public bool IsResting(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _downSince is not null || _coolUntil > now;
        }
    }

    /// <summary>Whether a server's hint (a 429's retry delay, a daily quota) keeps the model off: never overridden.</summary>
    public bool IsCoolingDown(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _coolUntil > now;
        }
    }

    /// <summary>Whether only the outage judgement keeps the model off: what a stranded call may override.</summary>
    public bool IsOnlyDown(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _downSince is not null && _coolUntil <= now;
        }
    }

    /// <summary>
    /// What a call may do with the model now: send (it is up), probe it (it is down and this call took the probe slot),
    /// or skip it (down with no slot, or cooling down). Taking the slot is part of the answer, so one call probes.
    /// Completes synchronously unless the model is down, its slot has come and a fleet is joined: then the fleet's
    /// slot is claimed too (one round trip to the shared store, once per slot), or while the fleet's view read when the
    /// model joined has not arrived yet: the admission then waits for it.
    /// </summary>
    public ValueTask<Admission> AdmitAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
        => _fleet is null ? AdmitOnWhatIsKnown(now, cancellationToken) : AdmitJoinedAsync(_fleet, now, cancellationToken);

    private ValueTask<Admission> AdmitOnWhatIsKnown(DateTimeOffset now, CancellationToken cancellationToken)
    {
        _fleet?.Refresh(now);
        TimeSpan slot;
        lock (_gate)
        {
            if (_coolUntil > now)
            {
                return new(Admission.Skip);
            }

            if (_downSince is null)
            {
                return new(Admission.Send);
            }

            if (!TryClaimProbeLocked(now))
            {
                return new(Admission.Skip);
            }

            slot = NextProbeGap(now - _downSince.Value);
        }

        return _fleet is null ? new(Admission.Probe) : ClaimFleetProbeAsync(_fleet, now, slot, cancellationToken);
    }

    /// <summary>One probe per slot across the fleet too: another process holding it means this one skips.</summary>
    private async ValueTask<Admission> ClaimFleetProbeAsync(INanoBananaSharedModelHealth fleet, DateTimeOffset now, TimeSpan slot, CancellationToken cancellationToken)
    {
        var claimed = false;
        try
        {
            claimed = await fleet.TryClaimProbeAsync(now, slot, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!claimed)
            {
                // Refused by the fleet, or the call ended while asking: the local slot is free again.
                lock (_gate)
                {
                    _probeClaimedAt = null;
                }
            }
        }

        return claimed ? Admission.Probe : Admission.Skip;
    }

    /// <summary>Takes the probe slot of a down model if it has come, so that one call probes per slot, however many wait.</summary>
    public bool TryClaimProbe(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_coolUntil > now || _downSince is null || !TryClaimProbeLocked(now))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A claimed probe was not sent (the budget refused it, or the call ended first): the slot is free again.</summary>
    public void ReleaseProbe()
    {
        lock (_gate)
        {
            _probeClaimedAt = null;
        }

        Changed();
    }

    /// <summary>When the next probe of a down model may be sent; <see langword="null"/> when there is nothing to probe.</summary>
    public DateTimeOffset? ProbeAt(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_downSince is null || _coolUntil > now || ProbeInFlight(now))
            {
                return null;
            }

            return Later(_nextProbe, now);
        }
    }

    /// <summary>Whether a probe of this model is on its way: calls waiting for it learn its result from <see cref="WhenChanged"/>.</summary>
    public bool IsProbing(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _downSince is not null && ProbeInFlight(now);
        }
    }

    /// <summary>
    /// A request to the model is about to be sent (<paramref name="probe"/>: the one a call holding the probe slot
    /// sends); the ticket orders its outcome among those in flight.
    /// </summary>
    public long Sending(DateTimeOffset now, bool probe)
    {
        lock (_gate)
        {
            var ticket = ++_nextTicket;
            _inFlight[ticket] = now;
            if (probe)
            {
                _probeTicket = ticket;
            }

            return ticket;
        }
    }

    /// <summary>
    /// The request with <paramref name="ticket"/> ended with <paramref name="outcome"/>. Updates the evidence, and
    /// judges the model down or up. Outcomes that say nothing about availability (a 400, a cancellation) only end the
    /// request's place in flight.
    /// </summary>
    public void Finished(long ticket, AttemptOutcome? outcome, TimeSpan elapsed, DateTimeOffset now)
    {
        var transition = Transition.None;
        lock (_gate)
        {
            _inFlight.Remove(ticket);
            if (outcome == AttemptOutcome.Success)
            {
                RememberAnswer(elapsed);
            }

            if (ticket == _probeTicket)
            {
                // A probe is the one request sent to a down model: its answer is read at once, whatever is in flight.
                _probeTicket = 0;
                transition = Apply(outcome, now);
                if (_downSince is not null)
                {
                    // The probe failed (or said nothing): the next slot comes after half the outage's age so far.
                    _probeClaimedAt = null;
                    _nextProbe = now + NextProbeGap(now - _downSince.Value);
                    transition = transition == Transition.None ? Transition.ProbeFailed : transition;
                }
            }
            else
            {
                _waitingForEarlier.Add(ticket, outcome);
                transition = ReadInSendingOrder(now);
            }
        }

        Publish(transition, now);
        if (transition == Transition.Down)
        {
            Log.BreakerOpened(_logger, ModelId, _options.BreakDuration);
        }
        else if (transition == Transition.Up)
        {
            Log.BreakerClosed(_logger, ModelId);
        }

        if (transition != Transition.None)
        {
            Changed();
        }
    }

    /// <summary>A request to this model returned an image after <paramref name="elapsed"/>.</summary>
    private void RememberAnswer(TimeSpan elapsed)
    {
        _answerTimes[_nextAnswer] = elapsed;
        _nextAnswer = (_nextAnswer + 1) % AnswerTimes;

        // Stryker disable once Linq : slots not yet written hold zero and an answer time is never negative, so counting them too leaves the maximum unchanged
        _answersKept = Math.Min(_answersKept + 1, AnswerTimes);
    }

    /// <summary>
    /// The longest of the model's recent answers with an image, or <see langword="null"/> before it has given any: how
    /// long before a call's deadline a request to it can still pay off.
    /// </summary>
    public TimeSpan? SlowestRecentAnswer()
    {
        lock (_gate)
        {
            return SlowestLocked();
        }
    }

    private TimeSpan? SlowestLocked() => _answersKept == 0 ? null : _answerTimes.Take(_answersKept).Max();

    /// <summary>The model is down from now on: skipped without sending, first probed at <paramref name="firstProbe"/>.</summary>
    public void Opened(DateTimeOffset now, DateTimeOffset firstProbe)
    {
        lock (_gate)
        {
            OpenedLocked(now, firstProbe);
        }

        Publish(Transition.Down, now);
        Changed();
    }

    /// <summary>The model answered: it is up again for every call.</summary>
    public void Closed()
    {
        lock (_gate)
        {
            _downSince = null;
            _probeClaimedAt = null;
            _consecutiveDowns = 0;
            _evidence = 0;
        }

        _fleet?.Closed();
        Changed();
    }

    /// <summary>A server hint keeps the model off until <paramref name="until"/>; only ever extended.</summary>
    public void CoolDown(DateTimeOffset until)
    {
        lock (_gate)
        {
            _coolUntil = Later(_coolUntil, until);
        }

        _fleet?.CoolDown(until);
    }

    /// <summary>
    /// Completes at the model's next change (down, up, a probe failed or was released), so calls waiting for it learn
    /// at once instead of polling.
    /// </summary>
    public Task WhenChanged()
    {
        lock (_gate)
        {
            return _changed.Task;
        }
    }

    private void Changed()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _changed;
            _changed = NewSignal();
        }

        signal.TrySetResult();
    }

    // Continuations run asynchronously so that a health change never runs a waiting call's walk inline.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Transition Answered(DateTimeOffset now)
    {
        Fade(now);
        _evidence = Math.Max(0, _evidence - WeightsLocked(now).Success);
        if (_downSince is null)
        {
            return Transition.None;
        }

        // Any answer ends the outage: the evidence left (at most the bar less one success) makes the model quick to
        // judge down again if that answer was the outage's rare leak.
        _downSince = null;
        _consecutiveDowns = 0;
        _probeClaimedAt = null;
        return Transition.Up;
    }

    /// <summary>
    /// Reads finished outcomes in the order their requests were sent: an outcome waits while a request sent before it
    /// is still in flight, unless that one has been out longer than the model's slowest recent answer.
    /// </summary>
    private Transition ReadInSendingOrder(DateTimeOffset now)
    {
        var holdFor = SlowestLocked() is { } slowest ? TimeSpan.FromTicks(Math.Min(slowest.Ticks, _attemptTimeout.Ticks)) : _attemptTimeout;
        long? oldestHolding = null;
        foreach (var (ticket, sent) in _inFlight)
        {
            if (now - sent < holdFor)
            {
                oldestHolding = ticket;
                break;
            }
        }

        var transition = Transition.None;
        while (_waitingForEarlier.Count > 0)
        {
            // Stryker disable once Linq : the loop runs only while an outcome waits, so First() cannot throw here
            var (ticket, outcome) = _waitingForEarlier.First();

            if (ticket > oldestHolding)
            {
                break;
            }

            _waitingForEarlier.Remove(ticket);
            var applied = Apply(outcome, now);
            transition = applied == Transition.None ? transition : applied;
        }

        return transition;
    }

    private Transition Apply(AttemptOutcome? outcome, DateTimeOffset now)
    {
        var transition = Judge(outcome, now);
        if (_downSince is null && transition == Transition.None)
        {
            // Learned after it was judged, and only while up: an outage's failures are not the model's usual noise.
            _usual?.Record(outcome, now);
        }

        return transition;
    }

    private Transition Judge(AttemptOutcome? outcome, DateTimeOffset now) => outcome switch
    {
        // A billed answer without an image is an answer too: the model is up; the call itself does not ask it again.
        AttemptOutcome.Success or AttemptOutcome.NoImage => Answered(now),
        AttemptOutcome.Overloaded or AttemptOutcome.RateLimited or AttemptOutcome.QuotaExhausted or AttemptOutcome.Timeout => Failed(now),
        _ => Transition.None,
    };

    private Transition Failed(DateTimeOffset now)
    {
        if (!_options.Enabled)
        {
            return Transition.None;
        }

        Fade(now);
        var bar = _options.MinimumThroughput;
        if (_downSince is not null)
        {
            _evidence = Math.Min(bar, _evidence + 1);
            return Transition.None;
        }

        _evidence += WeightsLocked(now).Failure;
        if (_evidence < bar)
        {
            return Transition.None;
        }

        OpenedLocked(now, now + _options.BreakDuration);
        return Transition.Down;
    }

    private void OpenedLocked(DateTimeOffset now, DateTimeOffset firstProbe)
    {
        if (_downSince is null)
        {
            _consecutiveDowns++;
        }

        _downSince ??= now;
        _evidence = Math.Max(_evidence, _options.MinimumThroughput);
        _probeClaimedAt = null;
        _nextProbe = Later(_nextProbe, firstProbe);
    }

    /// <summary>
    /// Evidence halves for every whole <see cref="CircuitBreakerOptions.SamplingDuration"/> in which the model saw no
    /// outcome while up: failures with long silences between them say little about now. Failures in quick succession
    /// keep their full count, so the bar means what it says.
    /// </summary>
    private void Fade(DateTimeOffset now)
    {
        // An outcome stamped before the last one (finishing calls race to the lock) fades nothing.
        if (_downSince is null && now > _evidenceAt)
        {
            _evidence *= Math.Pow(0.5, Math.Floor((now - _evidenceAt) / _options.SamplingDuration));
        }

        _evidenceAt = now;
    }

    private TimeSpan NextProbeGap(TimeSpan age)
    {
        var gap = Math.Max((age / 2).Ticks, _options.BreakDuration.Ticks);
        return TimeSpan.FromTicks(Math.Min(gap, _options.ProbeInterval.Ticks));
    }

    private bool TryClaimProbeLocked(DateTimeOffset now)
    {
        if (ProbeInFlight(now) || _nextProbe > now)
        {
            return false;
        }

        _probeClaimedAt = now;
        return true;
    }

    // The instants are UTC (the time provider's), so the later one is returned in UTC.
    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => new(Math.Max(a.UtcTicks, b.UtcTicks), TimeSpan.Zero);

    // A claimed probe that never reported (its call vanished) frees the slot after one attempt's time.
    private bool ProbeInFlight(DateTimeOffset now) => _probeClaimedAt is { } at && now - at < _attemptTimeout;

    private enum Transition
    {
        None,
        Down,
        Up,
        ProbeFailed,
    }
}

/// <summary>What a call may do with a model now: a decision computed once, under the health's lock.</summary>
internal enum Admission
{
    /// <summary>The model is up: send, with its retries.</summary>
    Send,

    /// <summary>The model is down and this call holds the probe slot: send one request, no retry.</summary>
    Probe,

    /// <summary>Down with no slot, or cooling down after a server's hint: nothing is sent.</summary>
    Skip,
}
