using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NanoBananaResilience.Gateways.Tests;

/// <summary>
/// The real Portkey gateway (the version pinned in <c>tests/portkey/package.json</c>), run with Node.js on 127.0.0.1
/// at a free port for the tests of one class, and ended with them. Only the process started here is ever ended.
/// </summary>
/// <remarks>
/// A missing Node.js or an uninstalled gateway fails the tests with a message saying what to do; they never skip,
/// so CI cannot pass without having run them.
/// </remarks>
public sealed class PortkeyGateway : IAsyncLifetime
{
    private static readonly TimeSpan StartupLimit = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    /// <summary>Gets the gateway's address, such as <c>http://127.0.0.1:40123/</c>; the OpenAI-style API is under <c>v1/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Gets what the gateway printed, for failure messages.</summary>
    public string Log => string.Join(Environment.NewLine, _log);

    public async ValueTask InitializeAsync()
    {
        var directory = FindPortkeyDirectory();
        var entry = Path.Combine(directory, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"The Portkey gateway is not installed: run 'npm ci' in {directory} (.ci/run does this).");
        }

        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("start-loopback.mjs");
        start.ArgumentList.Add($"--port={port}");
        start.ArgumentList.Add("--headless");

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("Node.js did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Node.js ('node') is not on PATH: the gateway conformance tests run the real Portkey gateway with it. Install Node.js 18 or later.", e);
        }

        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Address = new Uri($"http://127.0.0.1:{port}/");
        await WaitUntilReadyAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    /// <summary>Polls the gateway's greeting page until it answers; bounded, and fails early if node exits.</summary>
    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < StartupLimit)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"The Portkey gateway exited with code {_process.ExitCode} while starting:{Environment.NewLine}{Log}");
            }

            try
            {
                using var response = await http.GetAsync(Address).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but slow to answer while it starts.
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"The Portkey gateway did not answer on {Address} within {StartupLimit.TotalSeconds} s:{Environment.NewLine}{Log}");
    }

    private void Keep(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line) && _log.Count < 500)
        {
            _log.Enqueue(line);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository's <c>tests/portkey</c>, found upwards from the test binaries.</summary>
    private static string FindPortkeyDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "portkey");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/portkey/package.json was not found above {AppContext.BaseDirectory}.");
    }
}
