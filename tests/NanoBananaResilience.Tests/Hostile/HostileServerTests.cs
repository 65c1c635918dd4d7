using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Hostile;

/// <summary>
/// A raw-socket server that misbehaves on purpose. Every case checks the class of the outcome, that the call
/// ends (waits happen only on the fake clock, which the test moves or leaves still), that every response the
/// library received was disposed, and that the server is left with no open connection.
/// Chain: NB2 once, then Pro once, so a "move on" shows as Pro serving the image.
/// </summary>
public sealed class HostileServerTests : IAsyncLifetime
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    private readonly RawHttpServer _server = new();
    private HostileClient? _client;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        await _server.DisposeAsync();
    }

    private HostileClient Client(Action<NanoBananaOptions>? configure = null, SocketsHttpHandler? transport = null)
        => _client = new HostileClient(_server.BaseAddress, configure, transport);

    /// <summary>Nothing left behind: every response disposed, every connection closed by the client.</summary>
    private async Task AssertNothingLeftAsync()
    {
        _client!.Counter.AssertEveryResponseDisposed();
        await _server.AssertAllConnectionsClosedAsync();
    }

    private async Task<NanoBananaResult> MovedOnToProAsync(Task<NanoBananaResult> call, AttemptOutcome first)
    {
        var result = await call.WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken);
        Assert.Equal(Pro, result.Model);
        Assert.Equal(first, result.Attempts[0].Outcome);
        Assert.Equal(1, _server.Count(Nb2));
        Assert.Equal(1, _server.Count(Pro));
        await AssertNothingLeftAsync();
        return result;
    }

    [Fact]
    public async Task StallBeforeHeaders_AttemptTimeoutOnTheClock_TimeoutAndMovesOn()
    {
        _server.On(Nb2, x => x.StallUntilClientLeavesAsync()).On(Pro, HostileAnswers.Image);
        var client = Client();

        var call = client.GenerateAsync();
        await _server.Arrived(Nb2).WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken);
        client.Time.Advance(client.Options.AttemptTimeout);

        var result = await MovedOnToProAsync(call, AttemptOutcome.Timeout);
        Assert.Null(result.Attempts[0].StatusCode);
        Assert.Equal(1, client.Counter.Received); // only Pro's response ever reached the client
    }

    [Fact]
    public async Task StallInTheMiddleOfTheBody_AttemptTimeoutCoversTheBody_TimeoutAndMovesOn()
    {
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(200, "application/json", HostileAnswers.ImageBody.Length);
                await x.WriteAsync(HostileAnswers.ImageBody.AsMemory(0, HostileAnswers.InsideBase64));
                await x.StallUntilClientLeavesAsync();
            })
            .On(Pro, HostileAnswers.Image);
        var client = Client();

        var call = client.GenerateAsync();
        await HostileClient.WaitUntilAsync(() => client.Counter.Received == 1, "NB2's headers reached the client");
        client.Time.Advance(client.Options.AttemptTimeout);

        await MovedOnToProAsync(call, AttemptOutcome.Timeout);
    }

    [Fact]
    public async Task BodyCutInsideTheBase64_ServerErrorAndMovesOn()
    {
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(200, "application/json", HostileAnswers.ImageBody.Length);
                await x.WriteAsync(HostileAnswers.ImageBody.AsMemory(0, HostileAnswers.InsideBase64));
            })
            .On(Pro, HostileAnswers.Image);

        var result = await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ServerError);
        Assert.Contains("cut", result.Attempts[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionResetBeforeTheAnswer_ServerErrorAndMovesOn()
    {
        _server.On(Nb2, x =>
        {
            x.Reset();
            return Task.CompletedTask;
        }).On(Pro, HostileAnswers.Image);

        var result = await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ServerError);
        Assert.Null(result.Attempts[0].StatusCode);
    }

    [Fact]
    public async Task ConnectionResetInTheMiddleOfTheBody_ServerErrorAndMovesOn()
    {
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(200, "application/json", HostileAnswers.ImageBody.Length);
                await x.WriteAsync(HostileAnswers.ImageBody.AsMemory(0, HostileAnswers.InsideBase64));
                x.Reset();
            })
            .On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ServerError);
    }

    [Fact]
    public async Task DeclaredLengthPastTheCap_ResponseTooLargeWithoutReadingTheBody()
    {
        // Declares 100 MB, sends none of it: the client must give up on the headers alone and close.
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(200, "application/json", 100_000_000);
                await x.StallUntilClientLeavesAsync();
            })
            .On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client(o => o.MaxImageBytes = 64 * 1024).GenerateAsync(), AttemptOutcome.ResponseTooLarge);
    }

    [Fact]
    public async Task EndlessBodyWithoutLength_ResponseTooLargeWhileStreaming_ServerStopsEarly()
    {
        long written = 0;
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(200, "application/json", contentLength: null);
                await x.WriteAsync("""{"choices":[{"message":{"images":[{"image_url":{"url":"data:image/png;base64,""");
                var block = new byte[64 * 1024];
                block.AsSpan().Fill((byte)'A');
                while (written < 1L << 30)
                {
                    await x.WriteAsync(block);
                    written += block.Length;
                }
            })
            .On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client(o => o.MaxImageBytes = 256 * 1024).GenerateAsync(), AttemptOutcome.ResponseTooLarge);

        // The cap (256 KiB decoded ≈ 342 KiB of base64) plus what the socket buffers hold; nowhere near the 1 GiB offered.
        Assert.True(written < 64L * 1024 * 1024, $"the server wrote {written:N0} bytes before the client left");
    }

    [Fact]
    public async Task EndlessTextInASuccessBody_ResponseTooLargeAtTheSkeletonBound()
    {
        // No image in sight, only text: the non-image part of an answer has its own 4 MiB bound.
        long written = 0;
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(200, "application/json", contentLength: null);
                await x.WriteAsync("{\"choices\":[{\"message\":{\"content\":\"");
                var block = new byte[64 * 1024];
                block.AsSpan().Fill((byte)'t');
                while (written < 1L << 30)
                {
                    await x.WriteAsync(block);
                    written += block.Length;
                }
            })
            .On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ResponseTooLarge);
        Assert.True(written < 64L * 1024 * 1024, $"the server wrote {written:N0} bytes before the client left");
    }

    [Fact]
    public async Task UnaskedGzip_IsNotInflatedByTheRegisteredClient_ProtocolErrorAndTheAcceptEncodingIsNeverSent()
    {
        var bomb = HostileAnswers.GzipBomb(64 * 1024 * 1024);
        _server.On(Nb2, x => x.RespondAsync(200, bomb, "application/json", "Content-Encoding: gzip")).On(Pro, HostileAnswers.Image);
        var (provider, counter) = Registered(o =>
        {
            o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 1 });
            o.Models.Add(new ModelOptions { Id = Pro, MaxAttempts = 1 });
        });
        await using var _ = provider;

        var result = await provider.GetRequiredService<INanoBananaClient>().GenerateAsync("a cat", TestContext.Current.CancellationToken).WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.ProtocolError, result.Attempts[0].Outcome);
        Assert.Contains("not valid JSON", result.Attempts[0].Detail, StringComparison.Ordinal);
        Assert.Equal(Pro, result.Model);
        Assert.All(_server.Requests, r => Assert.False(r.Headers.ContainsKey("Accept-Encoding")));
        counter().AssertEveryResponseDisposed();
        await _server.AssertAllConnectionsClosedAsync();
    }

    /// <summary>
    /// The client as users register it (its own primary handler: no redirects, no decompression), with the counting
    /// handler added the way users add theirs, on a fake clock.
    /// </summary>
    private (ServiceProvider Provider, Func<DisposalCountingHandler> Counter) Registered(Action<NanoBananaOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Harness.OffPeak));
        DisposalCountingHandler? counter = null;
        services.AddNanoBananaClient(o =>
        {
            o.BaseAddress = _server.BaseAddress;
            o.ApiKey = Harness.ApiKey;
            o.PeakHours.Enabled = false;
            configure?.Invoke(o);
        }).AddHttpMessageHandler(() => counter = new DisposalCountingHandler());
        return (services.BuildServiceProvider(), () => counter!);
    }

    [Fact]
    public async Task ContentLengthShorterThanTheBody_TheTruncatedJsonIsAProtocolError()
    {
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(200, "application/json", HostileAnswers.ImageBody.Length / 2);
                await x.WriteAsync(HostileAnswers.ImageBody);
            })
            .On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ProtocolError);
    }

    [Fact]
    public async Task ContentLengthLongerThanTheBody_TheEarlyEndIsAServerError()
    {
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(200, "application/json", HostileAnswers.ImageBody.Length + 1000);
                await x.WriteAsync(HostileAnswers.ImageBody);
            })
            .On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ServerError);
    }

    [Fact]
    public async Task HeadersPastTheTransportLimit_ServerErrorAndMovesOn()
    {
        // One megabyte of headers, sixteen times the handler's 64 KiB default limit.
        var huge = "X-Padding: " + new string('a', 1024 * 1024);
        _server.On(Nb2, async x =>
        {
            await x.WriteHeadAsync(200, "application/json", HostileAnswers.ImageBody.Length, huge);
            await x.WriteAsync(HostileAnswers.ImageBody);
        }).On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ServerError);
    }

    [Fact]
    public async Task ErrorBodyThatNeverEnds_IsReadOnlyToItsBound_OverloadedAndMovesOn()
    {
        long written = 0;
        _server.On(
            Nb2,
            async x =>
            {
                await x.WriteHeadAsync(503, "application/json", contentLength: null);
                await x.WriteAsync("""{"error":{"code":503,"status":"UNAVAILABLE","message":"high demand """);
                var block = new byte[64 * 1024];
                block.AsSpan().Fill((byte)'z');
                while (written < 1L << 30)
                {
                    await x.WriteAsync(block);
                    written += block.Length;
                }
            })
            .On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.Overloaded);
        Assert.True(written < 64L * 1024 * 1024, $"the server wrote {written:N0} bytes before the client left");
    }

    [Fact]
    public async Task DeeplyNestedJson_ProtocolErrorWithoutExhaustingTheStack()
    {
        var body = Encoding.ASCII.GetBytes("""{"choices":""" + new string('[', 200_000));
        _server.On(Nb2, x => x.RespondAsync(200, body)).On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ProtocolError);
    }

    [Fact]
    public async Task HtmlWithStatus200_ProtocolErrorAndMovesOn()
    {
        _server.On(Nb2, x => x.RespondAsync(200, WireFixtures.Text("gateway-nginx-502.html"), "text/html")).On(Pro, HostileAnswers.Image);

        var result = await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ProtocolError);
        Assert.Contains("HTML", result.Attempts[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8InsideTheJson_ProtocolErrorAndMovesOn()
    {
        byte[] body = [.. """{"choices":[{"finish_reason":"stop","message":{"content":"caf"""u8, 0xC3, 0x28, 0xFF, .. "\"}}]}"u8];
        _server.On(Nb2, x => x.RespondAsync(200, body)).On(Pro, HostileAnswers.Image);

        await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.ProtocolError);
    }

    [Fact]
    public async Task FourHourRetryAfterOn503_MovesOnAtOnceWithoutSleeping_AndRestsTheModelForTheHint()
    {
        _server.On(Nb2, x => x.RespondAsync(503, WireFixtures.Text("google-503.json"), "application/json", "Retry-After: 14400")).On(Pro, HostileAnswers.Image);
        var client = Client(o => o.Models[0].MaxAttempts = 3);

        // The fake clock never moves: had the client slept on the hint (or any backoff), the call could not end.
        var result = await MovedOnToProAsync(client.GenerateAsync(), AttemptOutcome.Overloaded);

        Assert.Contains("longer than Retry:MaxRetryAfter", result.Attempts[0].Detail, StringComparison.Ordinal);
        var nb2 = client.Client.GetModelStatuses().Single(s => s.Model == Nb2);
        Assert.Equal(client.Time.GetUtcNow() + TimeSpan.FromHours(4), nb2.RestingUntil);
    }

    [Fact]
    public async Task FourHourRetryAfterOn429_QuotaExhaustedAndMovesOn()
    {
        _server.On(Nb2, x => x.RespondAsync(429, WireFixtures.Text("openrouter-error-429-provider.json"), "application/json", "Retry-After: 14400")).On(Pro, HostileAnswers.Image);

        var result = await MovedOnToProAsync(Client().GenerateAsync(), AttemptOutcome.QuotaExhausted);
        Assert.Equal(429, result.Attempts[0].StatusCode);
    }

    [Fact]
    public async Task RetryInfoOfOneBillionSeconds_IsBoundedAndMeansMoveOn()
    {
        const string body = """{"error":{"code":503,"message":"high demand","status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1e9s"}]}}""";
        _server.On(Nb2, x => x.RespondAsync(503, body)).On(Pro, x => x.RespondAsync(503, body));
        var client = Client(o => o.Models[0].MaxAttempts = 3);

        var error = await client.FailAsync();

        Assert.Equal(AttemptOutcome.Overloaded, error.Outcome);
        Assert.Equal(1, _server.Count(Nb2));
        Assert.Equal(1, _server.Count(Pro));
        Assert.True(error.RetryAfter <= TimeSpan.FromDays(2), $"retry hint {error.RetryAfter} is not bounded");
        Assert.All(client.Client.GetModelStatuses(), s => Assert.True(s.RestingUntil <= client.Time.GetUtcNow() + TimeSpan.FromDays(2)));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task RedirectToAnotherHost_IsNotFollowedByTheRegisteredClient_SoTheKeyNeverTravels()
    {
        await using var elsewhere = new RawHttpServer();
        elsewhere.On(Nb2, HostileAnswers.Image).On(Pro, HostileAnswers.Image);
        var location = $"Location: http://localhost:{elsewhere.Port}/v1/chat/completions";
        _server.On(Nb2, x => x.RespondAsync(307, "{}", "application/json", location)).On(Pro, x => x.RespondAsync(307, "{}", "application/json", location));

        var (provider, counter) = Registered();
        await using var _ = provider;
        var client = provider.GetRequiredService<INanoBananaClient>();

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => client.GenerateAsync("a cat", TestContext.Current.CancellationToken).WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.BadRequest, error.Outcome);
        Assert.Equal(307, error.StatusCode);
        Assert.Contains("redirects are not followed", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, elsewhere.Connections);
        Assert.Equal("Bearer " + Harness.ApiKey, Assert.Single(_server.Requests).Headers["Authorization"]);
        counter().AssertEveryResponseDisposed();
        await _server.AssertAllConnectionsClosedAsync();
    }
}
