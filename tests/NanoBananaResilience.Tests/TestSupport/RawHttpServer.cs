using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>One HTTP/1.1 request as the raw server read it.</summary>
internal sealed record RawRequest(string RequestLine, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The model id from the JSON body, or an empty string when the body has none.</summary>
    public string Model
    {
        get
        {
            try
            {
                using var json = JsonDocument.Parse(Body);
                return json.RootElement.TryGetProperty("model", out var model) ? model.GetString() ?? string.Empty : string.Empty;
            }
            catch (JsonException)
            {
                return string.Empty;
            }
        }
    }
}

/// <summary>One accepted connection with its request: the script writes whatever bytes it likes, then may reset.</summary>
internal sealed class RawExchange(Socket socket, NetworkStream stream, RawRequest request, CancellationToken stopping)
{
    public RawRequest Request { get; } = request;

    public CancellationToken Stopping { get; } = stopping;

    public Task WriteAsync(string text) => WriteAsync(Encoding.UTF8.GetBytes(text));

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await stream.WriteAsync(bytes, Stopping);
        await stream.FlushAsync(Stopping);
    }

    /// <summary>Writes a status line and headers; <c>Connection: close</c> always, so one connection carries one exchange.</summary>
    public Task WriteHeadAsync(int status, string mediaType, long? contentLength, params string[] extraHeaders)
    {
        var head = new StringBuilder().Append("HTTP/1.1 ").Append(status).Append(" X\r\nContent-Type: ").Append(mediaType).Append("\r\nConnection: close\r\n");
        if (contentLength is { } length)
        {
            head.Append("Content-Length: ").Append(length).Append("\r\n");
        }

        foreach (var header in extraHeaders)
        {
            head.Append(header).Append("\r\n");
        }

        return WriteAsync(head.Append("\r\n").ToString());
    }

    public async Task RespondAsync(int status, byte[] body, string mediaType = "application/json", params string[] extraHeaders)
    {
        await WriteHeadAsync(status, mediaType, body.Length, extraHeaders);
        await WriteAsync(body);
    }

    public Task RespondAsync(int status, string body, string mediaType = "application/json", params string[] extraHeaders)
        => RespondAsync(status, Encoding.UTF8.GetBytes(body), mediaType, extraHeaders);

    /// <summary>Aborts the connection with a TCP reset (linger 0), as a crashed proxy would.</summary>
    public void Reset()
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    /// <summary>Holds the connection open, sending nothing, until the client goes away (or the server stops).</summary>
    public async Task StallUntilClientLeavesAsync()
    {
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer, Stopping) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset from the client is also "the client left".
        }
    }
}

/// <summary>
/// A deliberately naive HTTP/1.1 server on 127.0.0.1 over raw sockets, for the misbehaviour Kestrel will not
/// commit: lying Content-Length, resets, unasked gzip, invalid bytes. One request per connection; scripts per
/// model as in the Kestrel wire tests (the last answer repeats). It counts connections and requests, and knows
/// how many connections are still open, so a test can prove the client left nothing behind.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Func<RawExchange, Task>[]> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RawRequest> _requests = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrivals = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _connectionCount;
    private int _open;

    public RawHttpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/v1/");

    public int Connections => Volatile.Read(ref _connectionCount);

    /// <summary>Connections the server still holds open (the script has not finished with them).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public IReadOnlyList<RawRequest> Requests => [.. _requests];

    /// <summary>Completes when a request for this model first arrives.</summary>
    public Task Arrived(string model) => _arrivals.GetOrAdd(model, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public int Count(string model) => _counts.TryGetValue(model, out var n) ? n : 0;

    public RawHttpServer On(string model, params Func<RawExchange, Task>[] script)
    {
        _scripts[model] = script;
        return this;
    }

    /// <summary>Waits (a real, generous bound: a hang guard, not a speed check) until every connection is closed.</summary>
    public async Task AssertAllConnectionsClosedAsync()
    {
        await Task.WhenAll(_connections).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, OpenConnections);
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connectionCount);
            Interlocked.Increment(ref _open);
            _connections.Add(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            using (socket)
            {
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                var request = await ReadRequestAsync(stream, _stopping.Token);
                if (request is null)
                {
                    return;
                }

                _requests.Enqueue(request);
                var model = request.Model;
                var index = _counts.AddOrUpdate(model, 1, (_, n) => n + 1) - 1;
                _arrivals.GetOrAdd(model, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                if (_scripts.TryGetValue(model, out var script))
                {
                    await script[Math.Min(index, script.Length - 1)](new RawExchange(socket, stream, request, _stopping.Token));
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away mid-exchange: exactly what several scripts provoke.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private static async Task<RawRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>(4096);
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .GroupBy(parts => parts[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return new RawRequest(lines[0], headers, body);
    }

    private static bool EndsWithBlankLine(List<byte> buffer)
        => buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n';

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        await Task.WhenAll(_connections);
        _stopping.Dispose();
    }
}
