namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// SplitMix64: a tiny, fast generator whose whole state is one 64-bit value, so a stream can be derived from a hash
/// of (seed, model, time) without keeping any shared state between requests.
/// </summary>
/// <remarks>
/// <see cref="Random"/> is not used because its sequence for a given seed is not guaranteed across .NET versions,
/// and <see cref="string.GetHashCode()"/> is not used because it is randomized per process.
/// </remarks>
internal struct DeterministicRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    public static ulong Mix(ulong value)
    {
        value += Golden;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    public static ulong Combine(ulong first, ulong second) => Mix(first ^ Mix(second + 0x632BE59BD9B4E019UL));

    public static ulong Combine(ulong first, ulong second, ulong third) => Combine(Combine(first, second), third);

    public static ulong Combine(ulong first, ulong second, ulong third, ulong fourth) => Combine(Combine(first, second, third), fourth);

    /// <summary>FNV-1a over the UTF-16 code units, then mixed: stable across processes and platforms.</summary>
    public static ulong Hash(string value)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return Mix(hash);
    }

    public ulong NextUInt64()
    {
        _state += Golden;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Returns a value in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double NextExponential() => -Math.Log(1.0 - NextDouble());

    /// <summary>Box–Muller; one of the pair is discarded, which keeps the stream position independent of history.</summary>
    public double NextStandardNormal()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
