using System.Globalization;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis;

/// <summary>
/// Every key and channel of one client's shared state. The unnamed client's live under the prefix
/// (<c>nanobanana:…</c>), a named client's under <c>nanobanana:client:{name}:…</c>. Health is per route (the gateway's
/// host and port) and model; the budget is per period length, its keys in one hash slot (<c>{…}</c>) so that one
/// script may touch them all on a Redis Cluster.
/// </summary>
internal sealed class RedisKeys
{
    private readonly string _scope;
    private readonly string _budget;

    public RedisKeys(string prefix, string? clientName, TimeSpan period)
    {
        _scope = clientName is null ? prefix : prefix + ":client:" + clientName;
        _budget = "{" + _scope + ":budget:" + ((long)period.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "}";
        Channel = RedisChannel.Literal(_scope + ":health");
    }

    /// <summary>Where every health change of this client is published.</summary>
    public RedisChannel Channel { get; }

    /// <summary>A model's health hash on a route.</summary>
    public RedisKey Health(string route, string model) => _scope + ":health:" + route + ":" + model;

    /// <summary>A model's probe slot on a route, held for one ProbeInterval by the process that probes.</summary>
    public RedisKey Probe(string route, string model) => _scope + ":probe:" + route + ":" + model;

    /// <summary>The budget's keys, in the order the scripts read them, for <paramref name="model"/>'s price and learning keys.</summary>
    public RedisKey[] Budget(string model) =>
    [
        _budget + ":spend",
        _budget + ":order",
        _budget + ":held",
        _budget + ":leases",
        _budget + ":sum",
        _budget + ":price:" + model,
        _budget + ":learn:" + model,
    ];
}
