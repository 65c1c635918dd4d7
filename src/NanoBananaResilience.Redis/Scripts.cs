namespace NanoBananaResilience.Redis;

/// <summary>
/// The server-side operations, each one atomic. Numbers are written with <c>%.0f</c> (Lua's own conversion may write
/// a large integer in exponent form). Times are the client's milliseconds; versions are the server's microseconds.
/// </summary>
internal static class Scripts
{
    // A health hash: open (ms, 0 when closed), cool (ms), trips, owner (the process whose trip it is), ver.
    // Every change bumps ver (server time in µs, strictly increasing per key), publishes the new state on the channel
    // and sets the key to expire MaxBreakDuration after the later of its two times.
    private const string HealthCommon = """
        local function num(v) return string.format('%.0f', v) end
        local function bump(k)
          local t = redis.call('TIME')
          local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local old = tonumber(redis.call('HGET', k, 'ver') or '0')
          if v <= old then v = old + 1 end
          return v
        end
        local function finish(k, open, cool, trips, owner, now, ttl)
          local ver = bump(k)
          redis.call('HSET', k, 'open', num(open), 'cool', num(cool), 'trips', num(trips), 'owner', owner, 'ver', num(ver))
          local last = math.max(open, cool, now)
          redis.call('PEXPIRE', k, num(last - now + ttl))
          local msg = ARGV[1] .. '|' .. num(ver) .. '|' .. num(open) .. '|' .. num(cool) .. '|' .. num(trips) .. '|' .. owner .. '|' .. ARGV[2]
          redis.call('PUBLISH', ARGV[5], msg)
          return {num(ver), num(open), num(cool), num(trips), owner}
        end
        local k = KEYS[1]
        local open = tonumber(redis.call('HGET', k, 'open') or '0')
        local cool = tonumber(redis.call('HGET', k, 'cool') or '0')
        local trips = tonumber(redis.call('HGET', k, 'trips') or '0')
        local owner = redis.call('HGET', k, 'owner') or ''
        local now = tonumber(ARGV[3])
        local ttl = tonumber(ARGV[4])
        """;

    /// <summary>
    /// A trip: KEYS health; ARGV replica, route|model, now, ttl, channel, until, trips. A trip with no live one before
    /// it belongs to this process (it tests the model when the break ends); a live one keeps its owner.
    /// </summary>
    public const string Trip = HealthCommon + "\n" + """
        local untilMs = tonumber(ARGV[6])
        if open <= now or owner == '' then owner = ARGV[1] end
        if untilMs > open then open = untilMs end
        trips = math.max(trips, tonumber(ARGV[7]))
        return finish(k, open, cool, trips, owner, now, ttl)
        """;

    /// <summary>A recovery: KEYS health; ARGV replica, route|model, now, ttl, channel.</summary>
    public const string Close = HealthCommon + "\n" + """
        return finish(k, 0, cool, 0, '', now, ttl)
        """;

    /// <summary>A server's cooldown: KEYS health; ARGV replica, route|model, now, ttl, channel, until. Only ever extended.</summary>
    public const string Cool = HealthCommon + "\n" + """
        local untilMs = tonumber(ARGV[6])
        if untilMs > cool then cool = untilMs end
        return finish(k, open, cool, trips, owner, now, ttl)
        """;

    // Budget keys, all in one hash slot: spend (field minute:replica → µUSD booked), order (field → bucket end ms),
    // held (reservation id → µUSD), leases (id → lease end ms), sum (spent, held), price (µUSD per image, the highest
    // billed), learn (the id of the run learning the price). Every write sets all six to expire together after
    // period + lease + one minute: by then every bucket (which ages out a minute after its time at the latest) and
    // every lease has ended, so an idle budget leaves nothing behind, and no key outlives another it is summed with.
    private const string BudgetCommon = """
        local function num(v) return string.format('%.0f', v) end
        local spendK, orderK, heldK, leasesK, sumK, priceK, learnK = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
        local now = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local ttl = tonumber(ARGV[3])
        local function expire()
          for i = 1, 6 do
            redis.call('PEXPIRE', KEYS[i], num(period + ttl + 60000))
          end
        end
        local function release(id)
          local v = redis.call('HGET', heldK, id)
          if v then
            redis.call('HDEL', heldK, id)
            redis.call('ZREM', leasesK, id)
            redis.call('HINCRBY', sumK, 'held', num(-tonumber(v)))
          end
          if redis.call('GET', learnK) == id then redis.call('DEL', learnK) end
        end
        local function book(field, bucketEnd, value)
          local old = tonumber(redis.call('HGET', spendK, field) or '0')
          if value > old and bucketEnd > now - period then
            redis.call('HSET', spendK, field, num(value))
            redis.call('ZADD', orderK, num(bucketEnd), field)
            redis.call('HINCRBY', sumK, 'spent', num(value - old))
          end
        end
        local function prune()
          local expired = redis.call('ZRANGEBYSCORE', leasesK, '-inf', num(now))
          for _, id in ipairs(expired) do release(id) end
          local old = redis.call('ZRANGEBYSCORE', orderK, '-inf', num(now - period))
          for _, f in ipairs(old) do
            local v = tonumber(redis.call('HGET', spendK, f) or '0')
            redis.call('HDEL', spendK, f)
            redis.call('ZREM', orderK, f)
            redis.call('HINCRBY', sumK, 'spent', num(-v))
          end
        end
        """;

    /// <summary>
    /// A reservation: ARGV now, period, lease, limit, price, learned (1/0), id. Returns {1, price, learning} when held,
    /// {0, price, fitsAt or -1} when it would pass the limit, {2, price, -1} while another run learns the price.
    /// </summary>
    public const string Reserve = BudgetCommon + "\n" + """
        local limit = tonumber(ARGV[4])
        local price = tonumber(ARGV[5])
        local learned = ARGV[6] == '1'
        local id = ARGV[7]
        prune()
        local fleetPrice = redis.call('GET', priceK)
        if fleetPrice and tonumber(fleetPrice) > price then price = tonumber(fleetPrice) end
        local spent = tonumber(redis.call('HGET', sumK, 'spent') or '0')
        local held = tonumber(redis.call('HGET', sumK, 'held') or '0')
        if spent + held + price > limit then
          local fits = -1
          if held + price <= limit then
            local over = spent + held + price - limit
            local entries = redis.call('ZRANGE', orderK, 0, -1, 'WITHSCORES')
            for i = 1, #entries, 2 do
              over = over - tonumber(redis.call('HGET', spendK, entries[i]) or '0')
              if over <= 0 then fits = tonumber(entries[i + 1]) + period break end
            end
          end
          return {0, num(price), num(fits)}
        end
        local learning = 0
        if not learned and not fleetPrice then
          local holder = redis.call('GET', learnK)
          if holder and holder ~= id then return {2, num(price), '-1'} end
          redis.call('SET', learnK, id, 'PX', num(ttl))
          learning = 1
        end
        redis.call('HSET', heldK, id, num(price))
        redis.call('HINCRBY', sumK, 'held', num(price))
        redis.call('ZADD', leasesK, num(now + ttl), id)
        expire()
        return {1, num(price), learning}
        """;

    /// <summary>
    /// The end of a run: ARGV now, period, lease, id ('' for none), per-image price (-1 when not billed), then triples
    /// of (field, bucket end, this process's whole spend in that bucket). Writing the whole (never adding) makes it
    /// safe to send again, and lets a process write back its spend after Redis lost it.
    /// </summary>
    public const string Settle = BudgetCommon + "\n" + """
        if ARGV[4] ~= '' then release(ARGV[4]) end
        local per = tonumber(ARGV[5])
        if per >= 0 then
          local old = tonumber(redis.call('GET', priceK) or '-1')
          if per > old then redis.call('SET', priceK, num(per)) end
        end
        for i = 6, #ARGV, 3 do
          book(ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]))
        end
        expire()
        return 1
        """;

    /// <summary>Ends holds that were settled while Redis did not answer: ARGV now, period, lease, ids…</summary>
    public const string Release = BudgetCommon + "\n" + """
        for i = 4, #ARGV do release(ARGV[i]) end
        expire()
        return 1
        """;
}
