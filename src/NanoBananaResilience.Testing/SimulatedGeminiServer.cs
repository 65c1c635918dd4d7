using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace NanoBananaResilience.Testing;

/// <summary>
/// The simulated gateway of <see cref="SimulatedGeminiHandler"/> served over real HTTP by Kestrel on the loopback
/// interface, for tests that need real sockets or for a client in another process.
/// </summary>
/// <remarks>
/// The server binds <c>127.0.0.1</c> (on a port the operating system picks, unless one is given), and nothing else.
/// Every request is handed to one <see cref="Handler"/>, whose <see cref="SimulatedGeminiHandler.Statistics"/> count
/// what the server served. It leaves the process's signals (Ctrl+C, SIGTERM) to its host: a console program awaits
/// <see cref="RunAsync"/> with a token its own signal handling cancels; a generic host registers it as an
/// <see cref="IHostedService"/>, which stops it with the host.
/// </remarks>
public sealed class SimulatedGeminiServer : IAsyncDisposable, IHostedService
{
    private readonly HttpMessageInvoker _invoker;
    private int _stopped;
    private WebApplication? _app;
    private Uri? _baseAddress;
    private int _disposed;

    /// <summary>
    /// Initializes a new instance of the <see cref="SimulatedGeminiServer"/> class.
    /// </summary>
    /// <param name="options">The simulation's options, or <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The simulation's clock, or <see langword="null"/> for the system clock.</param>
    public SimulatedGeminiServer(SimulatedGeminiOptions? options = null, TimeProvider? timeProvider = null)
    {
        Handler = new SimulatedGeminiHandler(options ?? new SimulatedGeminiOptions(), timeProvider ?? TimeProvider.System);
        _invoker = new HttpMessageInvoker(Handler, disposeHandler: true);
    }

    /// <summary>
    /// Gets the loopback port to listen on, or 0 for one the operating system picks (see <see cref="BaseAddress"/>).
    /// The default value is 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not from 0 to 65535.</exception>
    public int Port
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, IPEndPoint.MaxPort);
            field = value;
        }
    }

    /// <summary>
    /// Gets the simulation behind the server, with its statistics and overload timeline.
    /// </summary>
    public SimulatedGeminiHandler Handler { get; }

    /// <summary>Gets the started server's services, for tests of how it is hosted.</summary>
    internal IServiceProvider? Services => _app?.Services;

    /// <summary>
    /// Gets the base address to configure a client with, such as <c>http://127.0.0.1:12345/v1/</c>; requests go to
    /// <c>{BaseAddress}chat/completions</c>. The Google-native API is served at the same host and port, under
    /// <c>/v1beta/models/{model}:generateContent</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("The server has not been started; call StartAsync first.");

    /// <summary>
    /// Starts listening on <c>127.0.0.1</c>, on <see cref="Port"/> (by default a free port).
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server accepts connections.</returns>
    /// <exception cref="InvalidOperationException">The server was already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_app is not null)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        // The empty builder: no configuration files, no logging providers, no environment-driven URLs that could
        // widen the binding beyond loopback.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));

        // The builder's default lifetime takes Ctrl+C and SIGTERM for itself and only asks a host loop that nobody
        // runs here to stop, so the process would ignore both. The process's owner decides when this server stops.
        builder.Services.AddSingleton<IHostLifetime, HostOwnedLifetime>();
        var app = builder.Build();
        app.Run(ServeAsync);
        _app = app;
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel did not report the address it bound.");
        var port = new Uri(address).Port;
        _baseAddress = new Uri($"http://127.0.0.1:{port}/v1/");
    }

    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> is cancelled, then stops: starts the server first unless it
    /// was started already.
    /// </summary>
    /// <param name="cancellationToken">Ends the serving; cancel it from the program's Ctrl+C or SIGTERM handling.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_app is null)
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => stopped.TrySetResult()))
        {
            await stopped.Task.ConfigureAwait(false);
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops accepting requests and lets those in flight finish until <paramref name="cancellationToken"/> is cancelled.
    /// The server cannot be started again; <see cref="DisposeAsync"/> releases the rest.
    /// </summary>
    /// <param name="cancellationToken">Ends the graceful part of the stop.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null && Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the server and releases the simulation.
    /// </summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_app is not null)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _invoker.Dispose();
    }

    private async Task ServeAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);

        // The query goes along: Google-native callers may pass the key as ?key=, and streams ask for ?alt=sse.
        var uri = new Uri(BaseAddress, context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent());
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), uri)
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach (var name in (string[])["Authorization", "x-goog-api-key"])
        {
            if (context.Request.Headers.TryGetValue(name, out var values))
            {
                _ = request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _invoker.SendAsync(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // The client went away during the simulated latency.
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            var bytes = await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>A lifetime that registers no signal handlers: the program that owns the server stops it.</summary>
    private sealed class HostOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
