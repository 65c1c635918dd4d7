using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Wire;

/// <summary>
/// Real sockets: a Kestrel server on 127.0.0.1 answers per model from a script, and counts what reaches it.
/// Timing here is real but short (milliseconds); the fake-clock tests cover the long waits.
/// </summary>
public sealed class LoopbackWireTests : IAsyncLifetime
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    private readonly ConcurrentDictionary<string, Func<HttpContext, int, Task>[]> _scripts = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private WebApplication? _app;
    private Uri _baseAddress = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", async context =>
        {
            using var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var model = json.RootElement.GetProperty("model").GetString()!;
            var index = _counts.AddOrUpdate(model, 1, (_, n) => n + 1) - 1;
            var script = _scripts[model];
            await script[Math.Min(index, script.Length - 1)](context, index);
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _baseAddress = new Uri(_app.Urls.Single() + "/v1/");
        Assert.Equal("127.0.0.1", _baseAddress.Host);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private int Count(string model) => _counts.TryGetValue(model, out var n) ? n : 0;

    private void On(string model, params Func<HttpContext, int, Task>[] script) => _scripts[model] = script;

    private static Func<HttpContext, int, Task> Send(int status, string body, string mediaType = "application/json", int? retryAfterSeconds = null)
        => async (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = mediaType;
            if (retryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await context.Response.WriteAsync(body, context.RequestAborted);
        };

    private static Func<HttpContext, int, Task> Image() => Send(200, Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg"));

    private NanoBananaClient CreateClient(Action<NanoBananaOptions>? configure = null, TaskCompletionSource? headersArrived = null)
    {
        var options = new NanoBananaOptions { BaseAddress = _baseAddress, ApiKey = Harness.ApiKey };
        options.PeakHours.Enabled = false; // real clock: keep the chain order independent of the hour
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(40);
        options.AttemptTimeout = TimeSpan.FromSeconds(5);
        options.TotalTimeout = TimeSpan.FromSeconds(10);
        configure?.Invoke(options);
        HttpMessageHandler handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (headersArrived is not null)
        {
            handler = new SignalOnHeaders(headersArrived) { InnerHandler = handler };
        }

        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        return NanoBananaClient.Create(http, options);
    }

    [Fact]
    public async Task GenerateAsync_OverloadedThenImage_RetriesTheSameModelOnce()
    {
        On(Nb2, Send(503, WireFixtures.Text("google-503.json")), Image());
        On(Pro, Image());

        var result = await CreateClient().GenerateAsync("a cat", TestContext.Current.CancellationToken);

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(2, Count(Nb2));
        Assert.Equal(0, Count(Pro));
        Assert.Equal(TestImages.TinyJpeg, result.Image.Data.ToArray());
        Assert.Equal([AttemptOutcome.Overloaded, AttemptOutcome.Success], result.Attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task GenerateAsync_RateLimitedWithRetryAfter_GoesToTheNextModelWithoutRetrying()
    {
        On(Nb2, Send(429, WireFixtures.Text("openrouter-error-429-provider.json"), retryAfterSeconds: 1));
        On(Pro, Image());

        var result = await CreateClient().GenerateAsync("a cat", TestContext.Current.CancellationToken);

        Assert.Equal(Pro, result.Model);
        Assert.Equal(1, Count(Nb2));
        Assert.Equal(1, Count(Pro));
        Assert.Equal(AttemptOutcome.RateLimited, result.Attempts[0].Outcome);
        Assert.Equal(429, result.Attempts[0].StatusCode);
    }

    [Fact]
    public async Task GenerateAsync_BodyCutInsideTheBase64_IsAServerErrorAndIsRetried()
    {
        var body = Encoding.UTF8.GetBytes(Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg"));
        var cut = Encoding.UTF8.GetString(body).IndexOf("base64,", StringComparison.Ordinal) + 100;
        var headersArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        On(
            Nb2,
            async (context, _) =>
            {
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body.AsMemory(0, cut), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);

                // Cut only once the client holds the headers, so the failure lands in the body, not the send.
                await headersArrived.Task.WaitAsync(TimeSpan.FromSeconds(5), context.RequestAborted);
                context.Abort();
            },
            Image());
        On(Pro, Image());

        var result = await CreateClient(headersArrived: headersArrived).GenerateAsync("a cat", TestContext.Current.CancellationToken);

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(2, Count(Nb2));
        Assert.Equal(AttemptOutcome.ServerError, result.Attempts[0].Outcome);
        Assert.Equal(200, result.Attempts[0].StatusCode);
        Assert.Contains("the body was cut", result.Attempts[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_Html502_IsRetriedUpToMaxAttemptsThenTheNextModel()
    {
        On(Nb2, Send(502, WireFixtures.Text("gateway-nginx-502.html"), "text/html"));
        On(Pro, Image());

        var result = await CreateClient().GenerateAsync("a cat", TestContext.Current.CancellationToken);

        Assert.Equal(Pro, result.Model);
        Assert.Equal(3, Count(Nb2));
        Assert.Equal(1, Count(Pro));
        Assert.All(result.Attempts.Take(3), a => Assert.Equal((AttemptOutcome.ServerError, 502), (a.Outcome, a.StatusCode)));
    }

    [Fact]
    public async Task GenerateAsync_EveryModelOverloaded_ServerCountsEqualTheConfiguredAttempts()
    {
        On(Nb2, Send(503, WireFixtures.Text("google-503.json")));
        On(Pro, Send(503, WireFixtures.Text("google-503.json")));
        var client = CreateClient(o =>
        {
            o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 2 });
            o.Models.Add(new ModelOptions { Id = Pro, MaxAttempts = 3 });
        });

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => client.GenerateAsync("a cat", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.Overloaded, error.Outcome);
        Assert.Equal(2, Count(Nb2));
        Assert.Equal(3, Count(Pro));
        Assert.Equal(5, error.Attempts.Count);
    }

    /// <summary>Tells the server when the first response's headers reached the client.</summary>
    private sealed class SignalOnHeaders(TaskCompletionSource arrived) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            arrived.TrySetResult();
            return response;
        }
    }
}
