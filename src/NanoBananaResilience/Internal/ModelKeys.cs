using System.Collections.Concurrent;

namespace NanoBananaResilience;

/// <summary>
/// Decides which model ids get state of their own. Every per-model table — the engine's breakers and cooldowns, the
/// cost ledger's rows, the tags of our meter, Polly's pipeline instances — is keyed through this one object, so a
/// caller naming a new model id per call cannot grow any of them past <see cref="Capacity"/> entries.
/// </summary>
/// <remarks>
/// The configured chain is admitted first and always (its size is the operator's choice, not a caller's); ids named
/// per call take the free keys first come, first served, and the rest share <see cref="Overflow"/>. Admission is
/// never undone: a key that came and went would split one model's totals and breaker state in two.
/// </remarks>
internal sealed class ModelKeys
{
    /// <summary>The most entries a per-model table holds, counting the overflow entry.</summary>
    public const int Capacity = 64;

    /// <summary>The key every id past the cap shares; not a valid model id, so it cannot collide with one.</summary>
    public const string Overflow = "(other)";

    private readonly ConcurrentDictionary<string, byte> _admitted = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public ModelKeys(IEnumerable<string> configured)
    {
        foreach (var id in configured)
        {
            _admitted.TryAdd(id, 0);
        }
    }

    /// <summary>The number of ids with a key of their own.</summary>
    public int Count => _admitted.Count;

    /// <summary>The key for <paramref name="modelId"/>, admitting it while there is room.</summary>
    public string Admit(string modelId)
    {
        if (_admitted.ContainsKey(modelId))
        {
            return modelId;
        }

        // Check and add as one step: a check outside the lock let concurrent callers all pass it at the cap.
        lock (_gate)
        {
            if (_admitted.ContainsKey(modelId) || (_admitted.Count < Capacity - 1 && _admitted.TryAdd(modelId, 0)))
            {
                return modelId;
            }
        }

        return Overflow;
    }

    /// <summary>The key for <paramref name="modelId"/> without admitting it: its own when admitted, else the overflow.</summary>
    public string KeyOf(string modelId) => _admitted.ContainsKey(modelId) ? modelId : Overflow;
}
