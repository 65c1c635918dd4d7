using Polly.CircuitBreaker;

namespace NanoBananaResilience;

/// <summary>
/// The shared state of one model, for every call of a client: when its breaker reopens, how many times in a row it
/// tripped, and until when a server hint (429 RetryInfo, daily quota) keeps it off. Thread-safe.
/// </summary>
internal sealed partial class ModelHealth(string modelId)
{
    /// <summary>How many recent answer times a model remembers: enough for a stable maximum, few enough to follow a change.</summary>
    private const int AnswerTimes = 32;

    private readonly object _gate = new();
    private readonly TimeSpan[] _answerTimes = new TimeSpan[AnswerTimes];
    private int _nextAnswer;
    private int _answersKept;
    private DateTimeOffset _openUntil;
    private DateTimeOffset _coolUntil;
    private DateTimeOffset _nextProbe;
    private int _consecutiveTrips;
    private TaskCompletionSource _changed = NewSignal();

    public string ModelId { get; } = modelId;

    /// <summary>The breaker's own view, for health endpoints and the trail.</summary>
    public CircuitBreakerStateProvider StateProvider { get; } = new();

    public int ConsecutiveTrips
    {
        get
        {
            lock (_gate)
            {
                return _consecutiveTrips;
            }
        }
    }

    /// <summary>When the model may be tried again, or <see langword="null"/> when it may be tried now.</summary>
    public DateTimeOffset? RestingUntil(DateTimeOffset now)
    {
        _fleet?.Refresh(now);
        lock (_gate)
        {
            var until = _openUntil > _coolUntil ? _openUntil : _coolUntil;
            return until > now ? until : null;
        }
    }

    public bool IsResting(DateTimeOffset now) => RestingUntil(now) is not null;

    /// <summary>A request to this model returned an image after <paramref name="elapsed"/>.</summary>
    public void AnsweredIn(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _answerTimes[_nextAnswer] = elapsed;
            _nextAnswer = (_nextAnswer + 1) % AnswerTimes;
            _answersKept = Math.Min(_answersKept + 1, AnswerTimes);
        }
    }

    /// <summary>
    /// The longest of the model's recent answers with an image, or <see langword="null"/> before it has given any: how
    /// long before a call's deadline a request to it can still pay off.
    /// </summary>
    public TimeSpan? SlowestRecentAnswer()
    {
        lock (_gate)
        {
            return _answersKept == 0 ? null : _answerTimes.Take(_answersKept).Max();
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

    /// <summary>Whether only the breaker keeps the model off: what a stranded call may override.</summary>
    public bool IsOnlyBreakerOpen(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _openUntil > now && _coolUntil <= now;
        }
    }

    /// <summary>
    /// Completes at the model's next breaker transition (opened, half-opened, closed), so calls waiting for it to
    /// reopen learn at once that a probe succeeded or failed instead of polling.
    /// </summary>
    public Task WhenChanged()
    {
        lock (_gate)
        {
            return _changed.Task;
        }
    }

    /// <summary>Wakes every call waiting in <see cref="WhenChanged"/>.</summary>
    public void Changed()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _changed;
            _changed = NewSignal();
        }

        signal.TrySetResult();
    }

    // Continuations run asynchronously so that a breaker callback never runs a waiting call's walk inline.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The breaker opened: it stays open at least until <paramref name="until"/> (a break is never shortened), and
    /// the model was just tried, so the first probe of a stranded call waits until <paramref name="firstProbe"/>.
    /// </summary>
    public void Opened(DateTimeOffset until, DateTimeOffset firstProbe)
    {
        lock (_gate)
        {
            _consecutiveTrips++;
            if (until > _openUntil)
            {
                _openUntil = until;
            }

            if (firstProbe > _nextProbe)
            {
                _nextProbe = firstProbe;
            }
        }

        _fleet?.Opened(until, ConsecutiveTrips);
    }

    /// <summary>
    /// A call was refused by an open breaker whose <c>OnOpened</c> callback has not run yet (Polly runs it after the
    /// state change): take the break's end from the refusal, so a stranded call knows what to wait for. No trip is
    /// counted; the callback does that.
    /// </summary>
    public void RefusedUntil(DateTimeOffset until, DateTimeOffset firstProbe)
    {
        lock (_gate)
        {
            if (until > _openUntil)
            {
                _openUntil = until;
                if (firstProbe > _nextProbe)
                {
                    _nextProbe = firstProbe;
                }
            }
        }
    }

    /// <summary>A success closed the breaker (after its break, or early by a probe): the model is available again.</summary>
    public void Closed()
    {
        lock (_gate)
        {
            _consecutiveTrips = 0;
            _openUntil = default;
        }

        _fleet?.Closed();
    }

    /// <summary>
    /// When a stranded call may probe this model: only while the breaker alone keeps it off — a server's cooldown
    /// (429 hint, daily quota) is honoured, never probed. <see langword="null"/> when there is nothing to probe.
    /// </summary>
    public DateTimeOffset? ProbeAt(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_openUntil <= now || _coolUntil > now)
            {
                return null;
            }

            return _nextProbe > now ? _nextProbe : now;
        }
    }

    /// <summary>Takes the probe slot if it has come, so that one call probes per interval, however many wait.</summary>
    public bool TryClaimProbe(DateTimeOffset now, TimeSpan interval)
    {
        lock (_gate)
        {
            if (_openUntil <= now || _coolUntil > now || _nextProbe > now)
            {
                return false;
            }

            _nextProbe = now + interval;
        }

        return _fleet?.TryClaimProbe(now, interval) ?? true;
    }

    /// <summary>A server hint keeps the model off until <paramref name="until"/>; only ever extended.</summary>
    public void CoolDown(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until > _coolUntil)
            {
                _coolUntil = until;
            }
        }

        _fleet?.CoolDown(until);
    }
}
