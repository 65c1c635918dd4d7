using System.Globalization;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>Client-side TCP sockets to one local port, by state, from the kernel's tables (Linux only).</summary>
internal static class TcpTable
{
    public static bool IsAvailable => File.Exists("/proc/net/tcp");

    /// <summary>Counts sockets whose remote port is <paramref name="serverPort"/>: ESTABLISHED (01) and TIME_WAIT (06).</summary>
    public static (int Established, int TimeWait) CountTo(int serverPort)
    {
        int established = 0, timeWait = 0;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // "sl local_address rem_address st ...": addresses are HEXIP:HEXPORT.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var remotePort = int.Parse(fields[2].AsSpan(fields[2].IndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (remotePort != serverPort)
                {
                    continue;
                }

                if (fields[3] == "01")
                {
                    established++;
                }
                else if (fields[3] == "06")
                {
                    timeWait++;
                }
            }
        }

        return (established, timeWait);
    }
}
