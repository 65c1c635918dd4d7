using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>
/// A Kestrel gateway on 127.0.0.1 (port 0), plain or over TLS with a certificate made in the test, HTTP/1.1 and/or
/// HTTP/2. It answers each request through a function of (context, model) and counts what reached it: requests per
/// model, protocol versions, connections, and requests whose answer is still being written.
/// </summary>
internal sealed class LoopbackGateway : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _protocols = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _connections = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private int _inFlight;
    private int _aborted;

    private LoopbackGateway(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    public int Total => _requests.Values.Sum();

    /// <summary>Requests whose handler has not returned yet: an answer still being written, or a stall still held.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests the client abandoned (Kestrel's <c>RequestAborted</c> fired before the handler returned).</summary>
    public int Aborted => Volatile.Read(ref _aborted);

    /// <summary>Distinct connections that carried at least one request.</summary>
    public int Connections => _connections.Count;

    public IReadOnlyDictionary<string, int> Protocols => _protocols;

    public int Count(string model) => _requests.TryGetValue(model, out var n) ? n : 0;

    public void Reset()
    {
        _requests.Clear();
        _protocols.Clear();
        _connections.Clear();
    }

    public static async Task<LoopbackGateway> StartAsync(
        Func<HttpContext, string, Task> respond,
        X509Certificate2? certificate = null,
        HttpProtocols protocols = HttpProtocols.Http1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            // Image answers are large and many run at once; the defaults would throttle the test, not the client.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = protocols;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        var gateway = new LoopbackGateway(app);
        app.MapPost("/v1/chat/completions", async context =>
        {
            Interlocked.Increment(ref gateway._inFlight);
            try
            {
                string model;
                using (var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))
                {
                    model = json.RootElement.GetProperty("model").GetString()!;
                }

                gateway._requests.AddOrUpdate(model, 1, (_, n) => n + 1);
                gateway._protocols.AddOrUpdate(context.Request.Protocol, 1, (_, n) => n + 1);
                gateway._connections.TryAdd(context.Connection.Id, 0);
                await respond(context, model);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client left; counted below.
            }
            catch (IOException) when (context.RequestAborted.IsCancellationRequested)
            {
            }
            finally
            {
                if (context.RequestAborted.IsCancellationRequested)
                {
                    Interlocked.Increment(ref gateway._aborted);
                }

                Interlocked.Decrement(ref gateway._inFlight);
            }
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var scheme = certificate is null ? "http" : "https";
        gateway.BaseAddress = new Uri($"{scheme}://127.0.0.1:{new Uri(app.Urls.Single()).Port}/v1/");
        return gateway;
    }

    /// <summary>Writes <paramref name="body"/> (JSON) with <paramref name="status"/> and its length.</summary>
    public static async Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Polls (real time, bounded) until a condition holds: a hang guard, never a speed check.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting until {what}");
            await Task.Delay(5);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
