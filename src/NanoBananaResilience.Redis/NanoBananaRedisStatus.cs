using System.Globalization;

namespace NanoBananaResilience.Redis;

/// <summary>
/// Whether a client's shared state reaches Redis, for health endpoints: resolve it from dependency injection (keyed
/// by the client's name for a named client). While <see cref="IsAvailable"/> is <see langword="false"/>, the client
/// runs on its own state and its budget follows <see cref="NanoBananaRedisOptions.BudgetFailMode"/>. Thread-safe.
/// </summary>
public sealed class NanoBananaRedisStatus
{
    private readonly object _gate = new();
    private bool _available = true;
    private DateTimeOffset? _since;
    private string? _lastError;
    private long _rejoins;

    internal NanoBananaRedisStatus()
    {
    }

    /// <summary>Gets a value indicating whether the last Redis operation succeeded.</summary>
    public bool IsAvailable
    {
        get
        {
            lock (_gate)
            {
                return _available;
            }
        }
    }

    /// <summary>Gets when Redis stopped answering, or <see langword="null"/> while it answers.</summary>
    public DateTimeOffset? UnavailableSince
    {
        get
        {
            lock (_gate)
            {
                return _since;
            }
        }
    }

    /// <summary>Gets the last failure's description (without the password), or <see langword="null"/>.</summary>
    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Gets how many times the state has rejoined Redis after it was away.</summary>
    public long Rejoins => Interlocked.Read(ref _rejoins);

    /// <summary>Marks Redis unavailable; true when this is news (it answered before).</summary>
    internal bool Failed(DateTimeOffset now, string error)
    {
        lock (_gate)
        {
            _lastError = error;
            if (!_available)
            {
                return false;
            }

            _available = false;
            _since = now;
            return true;
        }
    }

    /// <summary>Marks Redis available; true when this is news (it was away).</summary>
    internal bool Answered()
    {
        lock (_gate)
        {
            if (_available)
            {
                return false;
            }

            _available = true;
            _since = null;
            return true;
        }
    }

    internal void Rejoined() => Interlocked.Increment(ref _rejoins);

    /// <inheritdoc />
    public override string ToString()
    {
        lock (_gate)
        {
            return _available
                ? "Redis answers"
                : string.Create(CultureInfo.InvariantCulture, $"Redis unavailable since {_since:O}: {_lastError}");
        }
    }
}
