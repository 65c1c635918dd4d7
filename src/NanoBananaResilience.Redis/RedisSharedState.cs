using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis;

/// <summary>
/// One client configuration's state shared through Redis: each model's health (a hash per route and model, changes
/// published on one channel) and the period budget (atomic Lua reservations). Every operation is bounded and never
/// fails a call; while Redis is away the client runs on its own state, and when it answers again this process
/// writes back what it knows (its trips and cooldowns, its spend in the window) and reads the fleet's.
/// </summary>
internal sealed class RedisSharedState : INanoBananaSharedState, IDisposable
{
    private const decimal MicrosPerUsd = 1_000_000m;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly RedisStore _store;
    private readonly TimeProvider _time;
    private readonly RedisKeys _keys;
    private readonly string _route;
    private readonly TimeSpan _ownerGrace;
    private readonly long _healthTtlMs;
    private readonly long _periodMs;
    private readonly long _leaseMs;
    private readonly TimeSpan _refreshInterval;
    private readonly decimal? _failOpenShare;
    private readonly ConcurrentDictionary<string, HealthLink> _links = new(StringComparer.Ordinal);
    private readonly object _budgetGate = new();
    private readonly SortedDictionary<long, long> _ownSpend = [];   // minute → µUSD this process booked in it
    private readonly Dictionary<string, string> _unreleased = new(StringComparer.Ordinal);   // hold id → model
    private readonly ConcurrentDictionary<string, string> _holds = new(StringComparer.Ordinal);   // hold id → model
    private long _nextHold;
    private int _subscribed;
    private int _disposed;

    public RedisSharedState(NanoBananaRedisOptions options, NanoBananaOptions client, string? clientName, RedisStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        ReplicaId = Guid.NewGuid().ToString("N")[..16];
        _keys = new RedisKeys(options.KeyPrefix, clientName, client.Budget.Period);
        _route = RouteOf(client);
        _ownerGrace = client.CircuitBreaker.ProbeInterval;
        _healthTtlMs = (long)client.CircuitBreaker.MaxBreakDuration.TotalMilliseconds;
        _periodMs = (long)client.Budget.Period.TotalMilliseconds;
        _leaseMs = (long)(client.TotalTimeout + TimeSpan.FromSeconds(30)).TotalMilliseconds;
        _refreshInterval = options.HealthRefreshInterval;
        _failOpenShare = options.BudgetFailMode == BudgetFailMode.FailOpen ? options.FailOpenShare : null;
        _store.Rejoin = RejoinAsync;
        Subscribe();
    }

    /// <summary>This process's id in the shared state: the owner of its trips, the sender of its messages.</summary>
    public string ReplicaId { get; }

    public RedisKeys Keys => _keys;

    public string Route => _route;

    /// <summary>
    /// What the shared health is scoped to, so processes share it only when they reach the same endpoints: the
    /// address's authority, or with named gateways every gateway's (each route's name already carries its gateway).
    /// </summary>
    private static string RouteOf(NanoBananaOptions client)
    {
        if (client.Gateways.Count > 0)
        {
            return string.Join(',', client.Gateways.Select(g => g.BaseAddress?.Authority.ToLowerInvariant() ?? g.Name).Order(StringComparer.Ordinal));
        }

        return client.BaseAddress is { } address ? address.Authority.ToLowerInvariant() : client.Protocol.ToString();
    }

    public NanoBananaRedisStatus Status => _store.Status;

    /// <summary>Whether this process receives the fleet's health changes.</summary>
    public bool IsSubscribed => Volatile.Read(ref _subscribed) != 0;

    public INanoBananaSharedModelHealth JoinHealth(string modelId, Action<SharedModelHealth> apply)
    {
        var link = _links.GetOrAdd(modelId, id => new HealthLink(this, _store, _time, id, apply, _ownerGrace, _refreshInterval, _healthTtlMs));

        // The fleet's view before the first decision, so that a process starting during an outage does not pay to learn
        // it; read in the background, since a thread blocked here on Redis would be taken from the pool: the model's
        // first admission awaits the read instead (INanoBananaSharedModelHealth.Ready).
        link.Join();
        return link;
    }

    public async ValueTask<SharedBudgetReservation> ReserveAsync(string modelId, decimal priceUsd, bool priceLearned, decimal limitUsd, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var price = ToMicros(priceUsd);
        var id = ReplicaId + ":" + Interlocked.Increment(ref _nextHold).ToString(CultureInfo.InvariantCulture);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var (ok, result) = await _store.TryAsync(db => db.ScriptEvaluateAsync(
            Scripts.Reserve,
            _keys.Budget(modelId),
            [Num(now), Num(_periodMs), Num(_leaseMs), Num(ToMicros(limitUsd, up: false)), Num(price), priceLearned ? "1" : "0", id])).ConfigureAwait(false);
        if (!ok)
        {
            return new SharedBudgetReservation(SharedBudgetStatus.Unavailable, priceUsd, localShare: _failOpenShare);
        }

        var answer = (RedisResult[])result!;
        var held = FromMicros((long)answer[1]);
        if ((int)answer[0] == 1)
        {
            _holds[id] = modelId;
        }

        return (int)answer[0] switch
        {
            1 => new SharedBudgetReservation(SharedBudgetStatus.Reserved, held, id, learning: (int)answer[2] == 1),
            2 => new SharedBudgetReservation(SharedBudgetStatus.Wait, held),
            _ => new SharedBudgetReservation(SharedBudgetStatus.Refused, held, fitsAt: (long)answer[2] is var at and >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null),
        };
    }

    public void Settle(SharedBudgetReservation reservation, decimal? costUsd, decimal? perImageUsd)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var minute = now / (long)Minute.TotalMilliseconds;
        long spentInMinute = -1;
        lock (_budgetGate)
        {
            if (costUsd is > 0m and var cost)
            {
                _ownSpend[minute] = (_ownSpend.TryGetValue(minute, out var before) ? before : 0) + ToMicros(cost);
                spentInMinute = _ownSpend[minute];
            }
        }

        var id = reservation.Id ?? string.Empty;
        var model = reservation.Id is { } holdId && _holds.TryRemove(holdId, out var heldFor) ? heldFor : string.Empty;
        RedisValue[] args = spentInMinute < 0
            ? [Num(now), Num(_periodMs), Num(_leaseMs), id, Num(perImageUsd is { } p ? ToMicros(p) : -1)]
            : [Num(now), Num(_periodMs), Num(_leaseMs), id, Num(perImageUsd is { } q ? ToMicros(q) : -1), BucketField(minute), Num(BucketEnd(minute)), Num(spentInMinute)];

        // What does not reach Redis now is written back when it answers again (RejoinAsync): the hold's release and,
        // as a whole, this process's spend in the window.
        _store.Fire(
            db => db.ScriptEvaluateAsync(Scripts.Settle, _keys.Budget(model), args),
            failed: () =>
            {
                if (reservation.Id is { } unsettled)
                {
                    lock (_budgetGate)
                    {
                        _unreleased[unsettled] = model;
                    }
                }
            });
    }

    private string BucketField(long minute) => minute.ToString(CultureInfo.InvariantCulture) + ":" + ReplicaId;

    private static long BucketEnd(long minute) => (minute + 1) * (long)Minute.TotalMilliseconds;

    /// <summary>Redis answers again: write back trips, cooldowns, spend and releases, then read every model's state.</summary>
    private async Task RejoinAsync()
    {
        Subscribe();
        var now = _time.GetUtcNow();
        foreach (var link in _links.Values)
        {
            await link.WriteBackAsync(now).ConfigureAwait(false);
        }

        var nowMs = now.ToUnixTimeMilliseconds();
        List<RedisValue> args = [Num(nowMs), Num(_periodMs), Num(_leaseMs), string.Empty, Num(-1)];
        KeyValuePair<string, string>[] releases;
        lock (_budgetGate)
        {
            var oldest = (nowMs - _periodMs) / (long)Minute.TotalMilliseconds - 1;
            foreach (var gone in _ownSpend.Keys.Where(m => m < oldest).ToList())
            {
                _ = _ownSpend.Remove(gone);
            }

            foreach (var (minute, micros) in _ownSpend)
            {
                args.Add(BucketField(minute));
                args.Add(Num(BucketEnd(minute)));
                args.Add(Num(micros));
            }

            releases = [.. _unreleased];   // id → model
        }

        var buckets = (args.Count - 5) / 3;
        if (buckets > 0)
        {
            _ = await _store.TryAsync(db => db.ScriptEvaluateAsync(Scripts.Settle, _keys.Budget(string.Empty), [.. args])).ConfigureAwait(false);
        }

        foreach (var byModel in releases.GroupBy(r => r.Value, StringComparer.Ordinal))
        {
            var ids = byModel.Select(r => r.Key).ToList();
            var (released, _) = await _store.TryAsync(db => db.ScriptEvaluateAsync(Scripts.Release, _keys.Budget(byModel.Key), [Num(nowMs), Num(_periodMs), Num(_leaseMs), .. ids.Select(r => (RedisValue)r)])).ConfigureAwait(false);
            if (released)
            {
                lock (_budgetGate)
                {
                    ids.ForEach(r => _unreleased.Remove(r));
                }
            }
        }

        foreach (var link in _links.Values)
        {
            _ = link.Load();
        }

        Log.Rejoined(_store.Logger, _links.Count, buckets);
    }

    private void Subscribe()
    {
        if (Volatile.Read(ref _subscribed) != 0)
        {
            return;
        }

        _store.Fire(
            async _ =>
            {
                await _store.Subscriber.SubscribeAsync(_keys.Channel, OnMessage).ConfigureAwait(false);
                return true;
            },
            then: _ => Volatile.Write(ref _subscribed, 1));
    }

    /// <summary>A change published by a process: <c>replica|ver|open|cool|trips|owner|route|model</c>.</summary>
    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        var parts = ((string?)message ?? string.Empty).Split('|', 8);
        if (parts.Length != 8 || parts[0] == ReplicaId || parts[6] != _route || !_links.TryGetValue(parts[7], out var link))
        {
            return;
        }

        link.Apply(long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture), int.Parse(parts[4], CultureInfo.InvariantCulture), parts[5]);
    }

    internal static RedisValue Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    // Prices are held in whole micro-dollars, rounded up: a hold or a booking is never less than the price.
    internal static long ToMicros(decimal usd, bool up = true) => (long)(up ? Math.Ceiling(usd * MicrosPerUsd) : Math.Floor(usd * MicrosPerUsd));

    internal static decimal FromMicros(long micros) => micros / MicrosPerUsd;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _store.Rejoin = null;
            if (Volatile.Read(ref _subscribed) != 0)
            {
                try
                {
                    _store.Subscriber.Unsubscribe(_keys.Channel, OnMessage, CommandFlags.FireAndForget);
                }
                catch (RedisException)
                {
                    // Going away anyway.
                }
            }

            _store.Dispose();
        }
    }
}
