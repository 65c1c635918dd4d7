using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NanoBananaResilience;

/// <summary>
/// An item's stable name: a hash of what it asks for, and which repeat of that request it is. A rerun recognises
/// finished items by it even when lines were added, removed or reordered, and an edited prompt is generated afresh.
/// </summary>
internal sealed class BatchItemKey
{
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

    /// <summary>Returns the key of the next item: the same request a second time gets <c>-2</c>, and so on.</summary>
    public string Next(NanoBananaRequest request)
    {
        var hash = Hash(request);
        var repeat = _seen[hash] = _seen.GetValueOrDefault(hash) + 1;
        return repeat == 1 ? hash : string.Create(CultureInfo.InvariantCulture, $"{hash}-{repeat}");
    }

    internal static string Hash(NanoBananaRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, request.Prompt);
        Append(hash, request.Size?.ToString());
        Append(hash, request.AspectRatio?.ToString());
        Append(hash, request.Model);
        foreach (var image in request.ReferenceImages)
        {
            hash.AppendData(image.Data.Span);
            Append(hash, null);
        }

        Span<byte> digest = stackalloc byte[32];
        _ = hash.GetHashAndReset(digest);
        return Convert.ToHexString(digest[..8]); // 64 bits: no collision in any batch a person runs
    }

    private static void Append(IncrementalHash hash, string? value)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(value ?? string.Empty));
        hash.AppendData("\n"u8); // a separator, so ("ab", "c") and ("a", "bc") differ
    }
}
