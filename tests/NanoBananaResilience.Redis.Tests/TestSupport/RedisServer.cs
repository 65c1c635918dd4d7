using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NanoBananaResilience.Redis.Tests.TestSupport;

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1, on a free port, without persistence (<c>--save "" --appendonly no</c>):
/// started by the test, killed (SIGKILL) and restarted on the same port when a test asks, stopped on disposal. Where
/// <c>redis-server</c> is not installed a test is skipped, saying why, except in CI (<c>CI=true</c>), where it fails:
/// CI must run these tests (.ci/run installs Redis).
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private Process? _process;

    private RedisServer(string executable, int port)
    {
        Executable = executable;
        Port = port;
    }

    public string Executable { get; }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The process id of the running server, for the kill test.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("not running");

    public static RedisServer Start()
    {
        var executable = Find();
        if (executable is null)
        {
            const string Why = "redis-server is not installed (apt-get install redis-server; .ci/run installs it)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(Why + ": in CI the Redis tests must run, not skip.");
            }

            Assert.Skip(Why + ".");
        }

        var server = new RedisServer(executable, FreePort());
        server.Run();
        return server;
    }

    /// <summary>Ends the server the way a crash would: SIGKILL, no shutdown, nothing saved.</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts the server again on the same port, empty; returns when it answers PING.</summary>
    public void Restart() => Run();

    private void Run()
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!Pings())
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not answer within 10 s");
            }

            Thread.Sleep(10);
        }
    }

    private bool Pings()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(IPAddress.Loopback, Port);
            socket.Send("PING\r\n"u8);
            var buffer = new byte[16];
            var read = socket.Receive(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Find()
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    public void Dispose() => Kill();
}
