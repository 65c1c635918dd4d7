using System.Net;
using System.Net.Sockets;

namespace NanoBananaResilience;

/// <summary>
/// Which IP addresses an image download may connect to: public unicast only. Everything a server could use to
/// reach into the caller's own network is refused — loopback, private (RFC 1918), carrier-grade NAT, link-local
/// (cloud metadata lives at 169.254.169.254), IPv6 unique-local and site-local, unspecified, multicast,
/// broadcast and reserved ranges, and IPv4 addresses dressed up as IPv6 (mapped, NAT64, 6to4).
/// </summary>
internal static class AddressFilter
{
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (EmbeddedIPv4(address) is { } inner)
            {
                return IsPublic(inner);
            }

            return IsPublicIPv6(address);
        }

        return address.AddressFamily == AddressFamily.InterNetwork && IsPublicIPv4(address);
    }

    private static bool IsPublicIPv4(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return !(b[0] == 0 // "this network", including 0.0.0.0
            || b[0] == 10 // private
            || b[0] == 127 // loopback
            || (b[0] == 100 && (b[1] & 0xC0) == 64) // 100.64.0.0/10 carrier-grade NAT
            || (b[0] == 169 && b[1] == 254) // link-local, cloud metadata
            || (b[0] == 172 && (b[1] & 0xF0) == 16) // 172.16.0.0/12 private
            || (b[0] == 192 && b[1] == 0 && b[2] == 0) // 192.0.0.0/24 protocol assignments
            || (b[0] == 192 && b[1] == 168) // private
            || (b[0] == 198 && (b[1] & 0xFE) == 18) // 198.18.0.0/15 benchmarking
            || b[0] >= 224); // multicast, reserved, broadcast
    }

    private static bool IsPublicIPv6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6None)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        return (b[0] & 0xFE) != 0xFC // fc00::/7 unique-local
            && (b[0] & 0xE0) == 0x20; // only global unicast (2000::/3) is public
    }

    /// <summary>The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return new IPAddress(b[12..16]);
        }

        return b[0] == 0x20 && b[1] == 0x02 ? new IPAddress(b[2..6]) : null;
    }
}
