using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Hostile;

/// <summary>
/// The caller's token at every stage of a call: it ends with <see cref="OperationCanceledException"/> carrying that
/// token, without the fake clock moving (no timer had to fire), and nothing carries on afterwards — no response
/// undisposed, no connection open, no request sent later even when the clock then jumps an hour.
/// </summary>
public sealed class CancellationTests : IAsyncLifetime
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    private readonly RawHttpServer _server = new();
    private readonly FakeLogCollector _logs = new();
    private readonly CancellationTokenSource _caller = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private HostileClient _client = null!;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _caller.Dispose();
        await _server.DisposeAsync();
    }

    private HostileClient Client(Action<NanoBananaOptions>? configure = null)
        => _client = new HostileClient(_server.BaseAddress, configure, loggerFactory: new LoggerFactory([new FakeLoggerProvider(_logs)]));

    private async Task CancelledAsync(Task<NanoBananaResult> call)
    {
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken));
        Assert.Equal(_caller.Token, error.CancellationToken);
    }

    /// <summary>After the call: the clock jumps an hour and no further request, open connection or undisposed response appears.</summary>
    private async Task AssertNothingLeftAsync(int nb2Requests, int proRequests)
    {
        _client.Time.Advance(TimeSpan.FromHours(1));
        await _server.AssertAllConnectionsClosedAsync();
        _client.Counter.AssertEveryResponseDisposed();
        Assert.Equal(nb2Requests, _server.Count(Nb2));
        Assert.Equal(proRequests, _server.Count(Pro));
    }

    [Fact]
    public async Task BeforeSend_NothingReachesTheServer()
    {
        var client = Client();
        await _caller.CancelAsync();

        await CancelledAsync(client.GenerateWithTokenAsync(_caller.Token));

        Assert.Equal(0, _server.Connections);
        await AssertNothingLeftAsync(0, 0);
    }

    [Fact]
    public async Task DuringSend_BeforeAnyHeader_TheConnectionIsAbandoned()
    {
        _server.On(Nb2, x => x.StallUntilClientLeavesAsync());
        var client = Client();

        var call = client.GenerateWithTokenAsync(_caller.Token);
        await _server.Arrived(Nb2).WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken);
        await _caller.CancelAsync();

        await CancelledAsync(call);
        Assert.Equal(0, client.Counter.Received);
        await AssertNothingLeftAsync(1, 0);
    }

    [Fact]
    public async Task MidBody_TheResponseIsDisposedAndTheConnectionClosed()
    {
        _server.On(Nb2, async x =>
        {
            await x.WriteHeadAsync(200, "application/json", HostileAnswers.ImageBody.Length);
            await x.WriteAsync(HostileAnswers.ImageBody.AsMemory(0, HostileAnswers.InsideBase64));
            await x.StallUntilClientLeavesAsync();
        });
        var client = Client();

        var call = client.GenerateWithTokenAsync(_caller.Token);
        await HostileClient.WaitUntilAsync(() => client.Counter.Received == 1, "the headers reached the client");
        await _caller.CancelAsync();

        await CancelledAsync(call);
        await AssertNothingLeftAsync(1, 0);
    }

    [Fact]
    public async Task DuringBackoff_NoRetryIsSentLater()
    {
        _server.On(Nb2, x => x.RespondAsync(503, WireFixtures.Text("google-503.json")));
        _server.On(Pro, HostileAnswers.Image);
        var client = Client(o => o.Models[0].MaxAttempts = 3);

        var call = client.GenerateWithTokenAsync(_caller.Token);
        await HostileClient.WaitUntilAsync(() => _logs.GetSnapshot().Any(r => r.Message.Contains("then the same model again", StringComparison.Ordinal)), "the first retry was scheduled");
        await _caller.CancelAsync();

        await CancelledAsync(call);
        await AssertNothingLeftAsync(1, 0);
    }

    [Fact]
    public async Task WhileWaitingForABreakerToReopen_NoRequestIsSentLater()
    {
        _server.On(Nb2, x => x.RespondAsync(429, WireFixtures.Text("google-429-quota-retryinfo.json"), "application/json", "Retry-After: 30"));
        _server.On(Pro, x => x.RespondAsync(429, WireFixtures.Text("google-429-quota-retryinfo.json"), "application/json", "Retry-After: 30"));

        // Both models answer 429 and rest for 30 s; the call, with nowhere to go, waits for the first to reopen.
        var client = Client(o => o.CircuitBreaker.WaitForReopen = true);
        var call = client.GenerateWithTokenAsync(_caller.Token);
        await HostileClient.WaitUntilAsync(() => _logs.GetSnapshot().Any(r => r.Message.Contains("Every model is resting", StringComparison.Ordinal)), "the call waits for a model to reopen");
        await _caller.CancelAsync();

        await CancelledAsync(call);
        await AssertNothingLeftAsync(1, 1);
    }
}
