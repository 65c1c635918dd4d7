using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Load;

/// <summary>
/// A loopback Kestrel gateway failing each model at its own rate, a client on a fake clock, and a driver that moves the
/// clock only while nothing is on the wire: backoffs, breaks and probe slots pass at once, while no attempt can time
/// out because the clock ran during a real request. Each call runs under its own activity, so the engine's logs
/// (rounds planned, probes sent) are told apart per call.
/// </summary>
internal sealed class StressRig : IAsyncDisposable
{
    private static readonly byte[] Overloaded = Encoding.UTF8.GetBytes(WireFixtures.Text("google-503.json"));

    private readonly Random _random = new(18);
    private readonly IReadOnlyDictionary<string, double> _failureRates;
    private readonly byte[] _image;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stopDriver = new();
    private Task _driver = Task.CompletedTask;

    private StressRig(IReadOnlyDictionary<string, double> failureRates, byte[] image, X509Certificate2? certificate)
    {
        _failureRates = failureRates;
        _image = image;
        _certificate = certificate;
    }

    public LoopbackGateway Gateway { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(Harness.OffPeak);

    public DisposalCountingHandler Counter { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public NanoBananaClient Client { get; private set; } = null!;

    public NanoBananaOptions Options { get; } = new() { ApiKey = Harness.ApiKey };

    public CallLog Log { get; } = new();

    /// <summary>Starts the gateway and the client. <paramref name="http2"/> puts both on TLS with HTTP/2.</summary>
    /// <param name="failureRates">The share of requests each model answers with a 503.</param>
    /// <param name="configure">Changes to the fast settings.</param>
    /// <param name="http2">TLS with HTTP/2 on both sides.</param>
    /// <param name="image">The success body.</param>
    /// <param name="respond">Answers instead of the failure rates, when given.</param>
    public static async Task<StressRig> StartAsync(
        IReadOnlyDictionary<string, double> failureRates,
        Action<NanoBananaOptions>? configure = null,
        bool http2 = false,
        byte[]? image = null,
        Func<HttpContext, string, Task>? respond = null)
    {
        var rig = new StressRig(failureRates, image ?? Encoding.UTF8.GetBytes(Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg")), http2 ? TestCertificates.SelfSigned() : null);
        rig.Gateway = await LoopbackGateway.StartAsync(respond ?? rig.RespondAsync, rig._certificate, http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1);

        var options = rig.Options;
        options.BaseAddress = rig.Gateway.BaseAddress;
        options.PeakHours.Enabled = false;

        // Fast settings: the same thresholds as the defaults, with every span shortened.
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.AttemptTimeout = TimeSpan.FromSeconds(10);
        options.TotalTimeout = TimeSpan.FromSeconds(30);
        options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(1);
        options.CircuitBreaker.MaxBreakDuration = TimeSpan.FromSeconds(20);
        options.CircuitBreaker.ProbeInterval = TimeSpan.FromSeconds(10);
        configure?.Invoke(options);

        var transport = new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (rig._certificate is not null)
        {
            transport.SslOptions.RemoteCertificateValidationCallback = TestCertificates.Trust(rig._certificate);
        }

        rig.Counter = new DisposalCountingHandler(transport);
        rig.Http = new HttpClient(rig.Counter) { Timeout = Timeout.InfiniteTimeSpan };
        if (http2)
        {
            rig.Http.DefaultRequestVersion = HttpVersion.Version20;
            rig.Http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        rig.Client = NanoBananaClient.Create(rig.Http, options, rig.Time, new LoggerFactory([rig.Log.Provider(rig.Time)]));
        return rig;
    }

    private Task RespondAsync(HttpContext context, string model)
    {
        bool fail;
        lock (_random)
        {
            fail = _random.NextDouble() < _failureRates.GetValueOrDefault(model);
        }

        return LoopbackGateway.WriteAsync(context, fail ? 503 : 200, fail ? Overloaded : _image);
    }

    /// <summary>Moves the fake clock by <paramref name="step"/> whenever nothing is on the wire, until disposed.</summary>
    public void DriveClock(TimeSpan? step = null)
    {
        var increment = step ?? TimeSpan.FromMilliseconds(50);
        _driver = Task.Run(async () =>
        {
            while (!_stopDriver.IsCancellationRequested)
            {
                if (Counter.IsIdle)
                {
                    Time.Advance(increment);
                }

                try
                {
                    await Task.Delay(1, _stopDriver.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    /// <summary>Runs <paramref name="calls"/> calls, <paramref name="concurrency"/> at a time, each under its own activity.</summary>
    public async Task<IReadOnlyList<CallRecord>> RunAsync(int calls, int concurrency, Func<int, NanoBananaRequest>? request = null)
    {
        var records = new CallRecord[calls];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls)
            {
                using var activity = new Activity("stress-call").Start();
                var started = Time.GetUtcNow();
                try
                {
                    var result = await Client.GenerateAsync(request?.Invoke(i) ?? new NanoBananaRequest("a cat"), TestContext.Current.CancellationToken);
                    records[i] = new CallRecord(activity.TraceId, result, null, started, Time.GetUtcNow());
                }
                catch (NanoBananaException e)
                {
                    records[i] = new CallRecord(activity.TraceId, null, e, started, Time.GetUtcNow());
                }
            }
        }))).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken); // a hang guard, not a speed check
        return records;
    }

    /// <summary>The invariants every run keeps, whatever the protocol, failure rate or concurrency.</summary>
    public void AssertInvariants(IReadOnlyList<CallRecord> records)
    {
        var sent = records.SelectMany(r => r.Attempts).Where(CallRecord.Sent).ToList();

        // Every request the server saw is a record with its status in some call's trail, per model; no request lost.
        Assert.All(sent, a => Assert.NotNull(a.StatusCode));
        Assert.Equal(Gateway.Total, sent.Count);
        foreach (var model in _failureRates.Keys)
        {
            Assert.Equal(Gateway.Count(model), sent.Count(a => a.Model == model));
        }

        // No call sends more to a model than its attempts in each round of the chain, plus the probes it was given.
        var maxAttempts = Options.GetEffectiveModels().ToDictionary(m => m.Id, m => m.MaxAttempts);
        foreach (var record in records)
        {
            var rounds = Log.Rounds(record.TraceId);
            foreach (var group in record.Attempts.Where(CallRecord.Sent).GroupBy(a => a.Model))
            {
                var bound = (maxAttempts[group.Key] * rounds) + Log.Probes(record.TraceId, group.Key);
                Assert.True(group.Count() <= bound, $"{group.Count()} requests to {group.Key} in one call: {rounds} round(s), bound {bound}");
            }
        }

        Assert.Equal(Counter.Received, Counter.Disposed);
    }

    public static string Summary(string name, IReadOnlyList<CallRecord> records, LoopbackGateway gateway, TimeSpan wall)
    {
        var failures = records.Where(r => r.Error is not null).GroupBy(r => r.Error!.Outcome).Select(g => $"{g.Key} {g.Count()}");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name}: {records.Count(r => r.Result is not null)}/{records.Count} images; failures [{string.Join(", ", failures)}]; requests {gateway.Total} ({string.Join(", ", gateway.Protocols.Select(p => $"{p.Key} {p.Value}"))}) on {gateway.Connections} connection(s); wall {wall.TotalSeconds:0.0} s");
    }

    public async ValueTask DisposeAsync()
    {
        await _stopDriver.CancelAsync();
        await _driver;
        Client?.Dispose();
        Http?.Dispose();
        await Gateway.DisposeAsync();
        _certificate?.Dispose();
        _stopDriver.Dispose();
    }
}

/// <summary>One call: its activity's trace, and the result or the failure.</summary>
internal sealed record CallRecord(ActivityTraceId TraceId, NanoBananaResult? Result, NanoBananaException? Error, DateTimeOffset Started, DateTimeOffset Ended)
{
    public IReadOnlyList<AttemptRecord> Attempts => Result?.Attempts ?? Error!.Attempts;

    /// <summary>A record of a request that was sent (breaker and budget skips send nothing).</summary>
    public static bool Sent(AttemptRecord attempt) => attempt.Outcome is not (AttemptOutcome.CircuitOpen or AttemptOutcome.BudgetExceeded);
}

/// <summary>The engine's round (event 2) and probe (event 10) logs, and a count of models judged down (event 7), by the trace of the call that wrote them, with the fake time.</summary>
internal sealed class CallLog
{
    private readonly ConcurrentQueue<(ActivityTraceId Trace, int EventId, string? Model, DateTimeOffset At)> _entries = new();
    private int _judgedDown;

    /// <summary>How many times a model was judged down (event 7).</summary>
    public int JudgedDown => Volatile.Read(ref _judgedDown);

    public int Rounds(ActivityTraceId trace) => _entries.Count(e => e.Trace == trace && e.EventId == 2);

    public int Probes(ActivityTraceId trace, string model) => _entries.Count(e => e.Trace == trace && e.EventId == 10 && e.Model == model);

    /// <summary>When each probe of <paramref name="model"/> was sent, on the fake clock, in order.</summary>
    public IReadOnlyList<DateTimeOffset> ProbeTimes(string model) => [.. _entries.Where(e => e.EventId == 10 && e.Model == model).Select(e => e.At).Order()];

    public ILoggerProvider Provider(TimeProvider time) => new LogProvider(this, time);

    private sealed class LogProvider(CallLog log, TimeProvider time) : ILoggerProvider, ILogger
    {
        // Only the engine's own category: Polly's loggers reuse small event ids for other events.
        public ILogger CreateLogger(string categoryName) => categoryName == "NanoBananaResilience" ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 7)
            {
                Interlocked.Increment(ref log._judgedDown);
            }

            if (eventId.Id is 2 or 10 && Activity.Current is { } call)
            {
                var model = state is IReadOnlyList<KeyValuePair<string, object?>> values ? values.FirstOrDefault(v => v.Key == "Model").Value as string : null;
                log._entries.Enqueue((call.TraceId, eventId.Id, model, time.GetUtcNow()));
            }
        }

        public void Dispose()
        {
        }
    }
}
