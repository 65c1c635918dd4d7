using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Hostile;

/// <summary>
/// The API key and a secret configured header against a server that echoes both into every answer it gives, while
/// calls fail every way they can. Everything observable is captured — logs at every level, exception messages
/// and ToString(), body excerpts, attempt trails, activity tags and events, metric tags, the options' ToString() —
/// and none of it may hold the key or the header's value. Prompts appear only at Trace.
/// </summary>
public sealed class SecretTests : IAsyncLifetime
{
    private const string Prompt = "a distinctive prompt about a lighthouse";
    private const string HeaderSecret = "pk-header-secret-0123456789";
    private const string Overloaded = "m-overloaded";
    private const string Html = "m-html";
    private const string Limited = "m-ratelimited";
    private const string Reset = "m-reset";
    private const string Broken = "m-broken-json";
    private const string Stalls = "m-stalls";
    private const string TextOnly = "m-text-only";
    private const string Refused = "m-refused";
    private const string Blocked = "m-blocked";

    private readonly RawHttpServer _server = new();
    private readonly FakeLogCollector _logs = new();
    private readonly ConcurrentQueue<string> _seen = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();

    public SecretTests()
    {
        _activities = new ActivityListener
        {
            // Ours, Polly's, and the HTTP stack's own spans (url, status, error type) under ours.
            ShouldListenTo = source => source.Name is NanoBananaDiagnostics.SourceName or "System.Net.Http" || source.Name.StartsWith("Polly", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                _seen.Enqueue(activity.DisplayName + " " + activity.StatusDescription);
                _seen.Enqueue(string.Join(" ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}")));
                _seen.Enqueue(string.Join(" ", activity.Events.SelectMany(e => e.Tags).Select(t => $"{t.Key}={t.Value}")));
            },
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is NanoBananaDiagnostics.SourceName or "System.Net.Http" || instrument.Meter.Name.StartsWith("Polly", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((_, _, tags, _) => RecordTags(tags));
        _meters.SetMeasurementEventCallback<double>((_, _, tags, _) => RecordTags(tags));
        _meters.SetMeasurementEventCallback<int>((_, _, tags, _) => RecordTags(tags));
        _meters.Start();

        static string Echo(RawExchange x) => x.Request.Headers["Authorization"] + " " + x.Request.Headers["x-portkey-api-key"];
        _server
            .On(Overloaded, x => x.RespondAsync(503, $$$"""{"error":{"code":503,"message":"high demand, key {{{Echo(x)}}}","status":"UNAVAILABLE {{{Echo(x)}}}"}}"""), x => x.RespondAsync(503, $$$"""{"error":{"code":503,"message":"overloaded {{{Echo(x)}}}","status":"UNAVAILABLE"}}""", "application/json", "Retry-After: 1"))
            .On(Html, x => x.RespondAsync(502, $"<html><body>bad gateway for {Echo(x)}</body></html>", "text/html"))
            .On(Limited, x => x.RespondAsync(429, $$$"""{"error":{"message":"slow down {{{Echo(x)}}}","type":"{{{Echo(x)}}}","code":"rate_limit_exceeded"}}"""))
            .On(Reset, x =>
            {
                x.Reset();
                return Task.CompletedTask;
            })
            .On(Broken, x => x.RespondAsync(200, $$$"""{"choices":[{"message":{"content":"{{{Echo(x)}}}"""))
            .On(Stalls, x => x.StallUntilClientLeavesAsync())
            .On(TextOnly, x => x.RespondAsync(200, $$$"""{"choices":[{"finish_reason":"stop","message":{"content":"I cannot draw; your key is {{{Echo(x)}}}"}}]}"""))
            .On(Refused, x => x.RespondAsync(401, $$$"""[{"error":{"code":401,"message":"API key not valid: {{{Echo(x)}}}","status":"UNAUTHENTICATED"}}]"""))
            .On(Blocked, x => x.RespondAsync(400, $$$"""{"error":{"code":400,"message":"IMAGE_SAFETY for {{{Echo(x)}}}","status":"INVALID_ARGUMENT"}}"""));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _activities.Dispose();
        _meters.Dispose();
        await _server.DisposeAsync();
    }

    private void RecordTags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            _seen.Enqueue($"{tag.Key}={tag.Value}");
        }
    }

    private async Task<NanoBananaException> FailAsync(params string[] models)
    {
        using var client = new HostileClient(
            _server.BaseAddress,
            o =>
            {
                o.Models.Clear();
                foreach (var model in models)
                {
                    o.Models.Add(new ModelOptions { Id = model, MaxAttempts = model == Overloaded ? 2 : 1 });
                }

                o.Retry.BaseDelay = TimeSpan.FromMilliseconds(100);
                o.AttemptTimeout = TimeSpan.FromMinutes(10);
                o.TotalTimeout = TimeSpan.FromHours(1);
                o.CircuitBreaker.Enabled = false;
                o.Headers["x-portkey-api-key"] = HeaderSecret;
                _seen.Enqueue(o.ToString());
            },
            loggerFactory: new LoggerFactory([new FakeLoggerProvider(_logs)], new LoggerFilterOptions { MinLevel = LogLevel.Trace }));
        var call = client.Client.GenerateAsync(Prompt, TestContext.Current.CancellationToken);
        await DriveAsync(client, call).WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<NanoBananaException>(() => call);
        _seen.Enqueue(error.Message);
        _seen.Enqueue(error.ToString());
        _seen.Enqueue(error.BodyExcerpt ?? string.Empty);
        _seen.Enqueue(error.ProviderStatus ?? string.Empty);
        _seen.Enqueue(string.Join(Environment.NewLine, error.Attempts.Select(a => a + " " + a.Detail)));
        return error;
    }

    /// <summary>
    /// Moves the fake clock in 100 ms steps for the backoffs, and by a whole attempt timeout once the stalling model
    /// holds its request — in small steps alone, a long attempt timeout would also catch a slow real answer.
    /// </summary>
    private async Task DriveAsync(HostileClient client, Task call)
    {
        var stalled = false;
        var stallsBefore = _server.Count(Stalls);
        while (!call.IsCompleted)
        {
            await Task.WhenAny(call, Task.Delay(2, TestContext.Current.CancellationToken));
            if (call.IsCompleted)
            {
                break;
            }

            if (!stalled && _server.Count(Stalls) > stallsBefore)
            {
                stalled = true;
                client.Time.Advance(client.Options.AttemptTimeout);
            }
            else
            {
                client.Time.Advance(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    [Fact]
    public async Task EveryFailure_TheKeyAppearsNowhere_AndThePromptOnlyAtTrace()
    {
        var exhausted = await FailAsync(Overloaded, Html, Limited, Reset, Broken, Stalls, TextOnly);
        var refused = await FailAsync(Overloaded, Refused);
        var blocked = await FailAsync(Blocked);

        Assert.Equal(
            [AttemptOutcome.Overloaded, AttemptOutcome.Overloaded, AttemptOutcome.ServerError, AttemptOutcome.RateLimited, AttemptOutcome.ServerError, AttemptOutcome.ProtocolError, AttemptOutcome.Timeout, AttemptOutcome.NoImage],
            exhausted.Attempts.Select(a => a.Outcome));
        Assert.Equal(AttemptOutcome.Unauthorized, refused.Outcome);
        Assert.Equal(AttemptOutcome.ContentBlocked, blocked.Outcome);

        // The server really did echo the key, and the echo really was read (redacted) into what the caller sees.
        Assert.All(_server.Requests, r => Assert.Equal("Bearer " + Harness.ApiKey, r.Headers["Authorization"]));
        Assert.All(_server.Requests, r => Assert.Equal(HeaderSecret, r.Headers["x-portkey-api-key"]));
        Assert.Contains(Redaction.Marker, refused.Message, StringComparison.Ordinal);

        var records = _logs.GetSnapshot();
        Assert.Contains(records, r => r.Level == LogLevel.Warning);
        foreach (var record in records)
        {
            _seen.Enqueue(record.Message + " " + record.Exception + " " + string.Join(" ", record.StructuredState?.Select(s => s.Value) ?? []));
        }

        Assert.Contains(_seen, text => text.Contains("gen_ai.operation.name=generate_content", StringComparison.Ordinal));
        Assert.Contains(_seen, text => text.Contains("http.request.method=POST", StringComparison.Ordinal));
        Assert.Contains(_seen, text => text.Contains("nanobanana.outcome=", StringComparison.Ordinal));
        Assert.All(_seen, text => Assert.DoesNotContain(Harness.ApiKey, text, StringComparison.Ordinal));
        Assert.All(_seen, text => Assert.DoesNotContain(HeaderSecret, text, StringComparison.Ordinal));
        Assert.All(records.Where(r => r.Level > LogLevel.Trace), r => Assert.DoesNotContain(Prompt, r.Message, StringComparison.Ordinal));
        Assert.Contains(records, r => r.Level == LogLevel.Trace && r.Message.Contains(Prompt, StringComparison.Ordinal));
    }
}
