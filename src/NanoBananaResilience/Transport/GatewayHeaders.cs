using System.Collections.Frozen;

namespace NanoBananaResilience;

/// <summary>
/// The configured headers of one gateway: <see cref="NanoBananaOptions.Headers"/> merged with the gateway's own
/// <see cref="GatewayOptions.Headers"/> once, when the gateway is built (the gateway's value wins by name; an empty value
/// sends nothing). Each request gets them as written, without parsing: start-up validation has already checked them.
/// </summary>
internal sealed class GatewayHeaders
{
    /// <summary>
    /// A value this long or longer is also scrubbed from text the gateway sends back, as the API key is. Credentials are
    /// longer than this; shorter values are words such as <c>google</c> or <c>false</c> that gateways write in their own
    /// messages ("google error: …"), which hiding would garble.
    /// </summary>
    public const int ShortestSecret = 16;

    /// <summary>The headers that carry the API key: a configured one would replace or double it.</summary>
    public static readonly FrozenSet<string> KeyHeaders = new[] { "Authorization", "x-goog-api-key" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Headers the library writes on every request (the body is its JSON, and it reads only JSON back), and those the
    /// HTTP stack owns: the host comes from the base address, the rest describe the connection, not the request.
    /// </summary>
    public static readonly FrozenSet<string> OwnedHeaders = new[] { "Accept", "Content-Type", "Content-Length", "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Transfer-Encoding", "Upgrade" }
        .ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly KeyValuePair<string, string>[] _headers;

    public GatewayHeaders(GatewayOptions gateway, IDictionary<string, string> shared)
    {
        var merged = new Dictionary<string, string>(shared, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in gateway.Headers)
        {
            merged[name] = value;
        }

        _headers = [.. merged.Where(h => !string.IsNullOrEmpty(h.Value))];
        Secrets = [.. _headers.Select(h => h.Value).Where(v => v.Length >= ShortestSecret)];
    }

    /// <summary>The values that may be credentials, to scrub from what comes back.</summary>
    public IReadOnlyList<string> Secrets { get; }

    public void AddTo(HttpRequestMessage message)
    {
        foreach (var (name, value) in _headers)
        {
            // Stored as written and sent as is; nothing parses it on the way out.
            message.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>Whether <paramref name="name"/> can go on a request at all: a body's header (<c>Content-Encoding</c>) cannot.</summary>
    public static bool IsRequestHeader(string name)
    {
        using var probe = new HttpRequestMessage();
        return probe.Headers.TryAddWithoutValidation(name, string.Empty);
    }

    /// <summary>The names, never the values, for <see cref="object.ToString"/>: <c>, Headers = [x-portkey-provider]</c>, or nothing.</summary>
    public static string Describe(IDictionary<string, string> headers)
        => headers.Count == 0 ? string.Empty : $", Headers = [{string.Join(", ", headers.Keys)}]";
}
