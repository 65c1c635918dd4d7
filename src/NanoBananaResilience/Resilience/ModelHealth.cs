using Polly.CircuitBreaker;

namespace NanoBananaResilience;

/// <summary>
/// The shared state of one model, for every call of a client: when its breaker reopens, how many times in a row it
/// tripped, and until when a server hint (429 RetryInfo, daily quota) keeps it off. Thread-safe.
/// </summary>
internal sealed class ModelHealth(string modelId)
{
    private readonly object _gate = new();
    private DateTimeOffset _openUntil;
    private DateTimeOffset _coolUntil;
    private int _consecutiveTrips;

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
        lock (_gate)
        {
            var until = _openUntil > _coolUntil ? _openUntil : _coolUntil;
            return until > now ? until : null;
        }
    }

    public bool IsResting(DateTimeOffset now) => RestingUntil(now) is not null;

    /// <summary>The breaker opened: it stays open at least until <paramref name="until"/>; a break is never shortened.</summary>
    public void Opened(DateTimeOffset until)
    {
        lock (_gate)
        {
            _consecutiveTrips++;
            if (until > _openUntil)
            {
                _openUntil = until;
            }
        }
    }

    /// <summary>A success closed the breaker: the next trip starts from the base break again.</summary>
    public void Closed()
    {
        lock (_gate)
        {
            _consecutiveTrips = 0;
        }
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
    }
}
