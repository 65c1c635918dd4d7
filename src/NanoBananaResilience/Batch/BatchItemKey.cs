using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NanoBananaResilience;

/// <summary>
/// An item's stable name: its position and a hash of what it asks for, so a rerun recognises finished items and an
/// edited prompt at the same position is generated afresh rather than mistaken for the old one.
/// </summary>
internal static class BatchItemKey
{
    public static string For(int index, NanoBananaRequest request)
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
        return string.Create(CultureInfo.InvariantCulture, $"{index:D6}-{Convert.ToHexString(digest[..4])}");
    }

    private static void Append(IncrementalHash hash, string? value)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(value ?? string.Empty));
        hash.AppendData("\n"u8); // a separator, so ("ab", "c") and ("a", "bc") differ
    }
}
