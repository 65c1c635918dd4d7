using System.Globalization;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis;

/// <summary>
/// One model's health shared through Redis. This process's trips, recoveries and cooldowns go out as atomic scripts
/// that also publish them; what other processes publish comes in through <see cref="Apply"/>. Each change carries the
/// server's version, so a late message or a stale read never undoes a newer change. A trip belongs to the process
/// that made it: that process tests the model when the break ends, and the others rest one
/// <c>CircuitBreaker:ProbeInterval</c> longer, until it says how the test went.
/// </summary>
internal sealed class HealthLink : INanoBananaSharedModelHealth
{
    private readonly RedisSharedState _state;
    private readonly RedisStore _store;
    private readonly TimeProvider _time;
    private readonly string _model;
    private readonly RedisKey _key;
    private readonly RedisKey _probe;
    private readonly Action<SharedModelHealth> _apply;
    private readonly TimeSpan _ownerGrace;
    private readonly TimeSpan _refreshInterval;
    private readonly long _ttlMs;
    private readonly object _gate = new();
    private long _version;
    private long _lastRead;
    private Task? _reading;   // the read under way, shared by whoever asks for one meanwhile
    private Task? _ready;     // the first read, started when the model joined
    private DateTimeOffset _localOpen;
    private int _localTrips;
    private DateTimeOffset _localCool;

    public HealthLink(RedisSharedState state, RedisStore store, TimeProvider time, string model, Action<SharedModelHealth> apply, TimeSpan ownerGrace, TimeSpan refreshInterval, long ttlMs)
    {
        _state = state;
        _store = store;
        _time = time;
        _model = model;
        _key = state.Keys.Health(state.Route, model);
        _probe = state.Keys.Probe(state.Route, model);
        _apply = apply;
        _ownerGrace = ownerGrace;
        _refreshInterval = refreshInterval;
        _ttlMs = ttlMs;
    }

    public void Opened(DateTimeOffset until, int consecutiveTrips)
    {
        lock (_gate)
        {
            _localOpen = until > _localOpen ? until : _localOpen;
            _localTrips = consecutiveTrips;
        }

        Run(Scripts.Trip, until.ToUnixTimeMilliseconds(), consecutiveTrips);
    }

    public void Closed()
    {
        lock (_gate)
        {
            _localOpen = default;
            _localTrips = 0;
        }

        Run(Scripts.Close);
    }

    public void CoolDown(DateTimeOffset until)
    {
        lock (_gate)
        {
            _localCool = until > _localCool ? until : _localCool;
        }

        Run(Scripts.Cool, until.ToUnixTimeMilliseconds());
    }

    public async ValueTask<bool> TryClaimProbeAsync(DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken)
    {
        // Asked once per probe slot of a down model (by the one call that took the local slot), never for a model that
        // is up: that call awaits one round trip at most, bounded by the operation timeout.
        var (ok, claimed) = await _store.TryAsync(db => db.StringSetAsync(_probe, _state.ReplicaId, interval, When.NotExists)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return !ok || claimed;
    }

    public Task Ready => Volatile.Read(ref _ready) ?? Task.CompletedTask;

    /// <summary>
    /// The model joins: starts the first read of the fleet's view, without waiting for it (the model's first admission
    /// awaits <see cref="Ready"/>). A later join of the same model shares that first read.
    /// </summary>
    public void Join()
    {
        if (Volatile.Read(ref _ready) is null)
        {
            _ = Interlocked.CompareExchange(ref _ready, Load(), null);
        }
    }

    public void Refresh(DateTimeOffset now)
    {
        if (_time.GetElapsedTime(Interlocked.Read(ref _lastRead)) >= _refreshInterval)
        {
            _ = Load();
        }
    }

    /// <summary>
    /// Reads the fleet's view of the model and applies it if it is newer than what this process knows. Never waits:
    /// the task completes once the view is applied or the store did not answer, and never faults; a read already
    /// under way is shared rather than sent again.
    /// </summary>
    public Task Load()
    {
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _reading, read.Task, null) is { } underWay)
        {
            return underWay;
        }

        Interlocked.Exchange(ref _lastRead, _time.GetTimestamp());
        _ = LoadAsync(read);
        return read.Task;
    }

    private async Task LoadAsync(TaskCompletionSource read)
    {
        try
        {
            var (ok, fields) = await _store.TryAsync(db => db.HashGetAllAsync(_key)).ConfigureAwait(false);
            if (ok && fields.Length > 0)
            {
                var values = fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value ?? string.Empty, StringComparer.Ordinal);
                Apply(Long(values, "ver"), Long(values, "open"), Long(values, "cool"), (int)Long(values, "trips"), values.GetValueOrDefault("owner", string.Empty));
            }
        }
        finally
        {
            // Cleared before completing: a caller woken by the completion that asks again starts a fresh read.
            Volatile.Write(ref _reading, null);
            read.TrySetResult();
        }
    }

    /// <summary>Redis answers again: writes back the trip and the cooldown this process knows of, if they still run.</summary>
    public async Task WriteBackAsync(DateTimeOffset now)
    {
        DateTimeOffset open, cool;
        int trips;
        lock (_gate)
        {
            (open, cool, trips) = (_localOpen, _localCool, _localTrips);
        }

        if (open > now)
        {
            await RunAsync(Scripts.Trip, open.ToUnixTimeMilliseconds(), trips).ConfigureAwait(false);
        }

        if (cool > now)
        {
            await RunAsync(Scripts.Cool, cool.ToUnixTimeMilliseconds()).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A state from the fleet, at server version <paramref name="version"/>: applied when newer than the last one seen,
    /// unless it is this process's own trip (which this process already knows).
    /// </summary>
    public void Apply(long version, long open, long cool, int trips, string owner)
    {
        lock (_gate)
        {
            if (version <= _version)
            {
                return;
            }

            _version = version;
        }

        var mine = owner == _state.ReplicaId;
        if (open > 0 && mine)
        {
            return;
        }

        // Another process's trip: it tests the model when the break ends; rest until it can have said how that went.
        var openUntil = open > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(open) + _ownerGrace : default;
        var coolUntil = cool > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(cool) : default;
        _apply(new SharedModelHealth(openUntil, coolUntil, trips));
    }

    private void Run(string script, params long[] extra) => _ = RunAsync(script, extra);

    private async Task RunAsync(string script, params long[] extra)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        RedisValue[] args = [_state.ReplicaId, _state.Route + "|" + _model, RedisSharedState.Num(now), RedisSharedState.Num(_ttlMs), _state.Keys.Channel.ToString(), .. extra.Select(RedisSharedState.Num)];
        var (ok, result) = await _store.TryAsync(db => db.ScriptEvaluateAsync(script, [_key], args)).ConfigureAwait(false);
        if (ok)
        {
            var state = (RedisResult[])result!;
            Apply((long)state[0], (long)state[1], (long)state[2], (int)state[3], (string?)state[4] ?? string.Empty);
        }
    }

    private static long Long(Dictionary<string, string> values, string name)
        => values.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
