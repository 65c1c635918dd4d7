using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Wire;

/// <summary>
/// Real sockets through the DI-registered client with the default chain: request counts per model, the rest a
/// 429 leaves on the next call, and the redirect that is not followed. Stalls and cut bodies are in
/// <see cref="LoopbackWireTests"/>. Delays are shortened by configuration (milliseconds).
/// </summary>
public sealed class LoopbackChainTests
{
    private const string Nb2 = NanoBananaModels.NanoBanana2;
    private const string Pro = NanoBananaModels.NanoBananaPro;
    private const string ApiKey = "sk-loopback-secret-123";

    private static readonly string Success = "{\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"images\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + TestImages.TinyPngBase64 + "\"}}]}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1290,\"cost\":0.039}}";
    private const string Overloaded = "{\"error\":{\"code\":503,\"message\":\"This model is currently experiencing high demand.\",\"status\":\"UNAVAILABLE\"}}";

    [Fact]
    public async Task GenerateAsync_Nb2OverloadedProUp_SendsThreeToNb2ThenOneToPro()
    {
        await using var server = await ScriptedServer.StartAsync((model, _, context) =>
            model == Nb2 ? Answer(context, 503, Overloaded) : Answer(context, 200, Success));
        using var services = Services(server);

        var result = await services.GetRequiredService<INanoBananaClient>().GenerateAsync("a cat", TestContext.Current.CancellationToken);

        Assert.Equal(Pro, result.Model);
        Assert.Equal("image/png", result.Image.MediaType);
        Assert.Equal(0.039m, result.EstimatedCostUsd);
        Assert.Equal(3, server.Count(Nb2));
        Assert.Equal(1, server.Count(Pro));
        Assert.Equal([AttemptDecision.Retry, AttemptDecision.Retry, AttemptDecision.NextModel, AttemptDecision.Return], result.Attempts.Select(a => a.Decision));
        Assert.All(server.Authorizations, value => Assert.Equal("Bearer " + ApiKey, value));
    }

    [Fact]
    public async Task GenerateAsync_EveryModelOverloaded_SendsExactlyTheConfiguredAttemptsAndThrowsTransient()
    {
        await using var server = await ScriptedServer.StartAsync((_, _, context) => Answer(context, 503, Overloaded));
        using var services = Services(server);

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => services.GetRequiredService<INanoBananaClient>().GenerateAsync("a cat", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.Overloaded, error.Outcome);
        Assert.True(error.IsTransient);
        Assert.Equal(3, server.Count(Nb2));
        Assert.Equal(2, server.Count(Pro));
        Assert.Equal(5, error.Attempts.Count);
        Assert.DoesNotContain(ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ContentBlocked_StopsAfterOneRequest()
    {
        const string Blocked = "{\"error\":{\"code\":400,\"message\":\"Image generation blocked\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"IMAGE_SAFETY\"}]}}";
        await using var server = await ScriptedServer.StartAsync((_, _, context) => Answer(context, 400, Blocked));
        using var services = Services(server);

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => services.GetRequiredService<INanoBananaClient>().GenerateAsync("something forbidden", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.ContentBlocked, error.Outcome);
        Assert.Equal(1, server.Total);
    }

    [Fact]
    public async Task GenerateAsync_RateLimitedWithRetryAfter_MovesOnAtOnceAndRestsTheModel()
    {
        await using var server = await ScriptedServer.StartAsync((model, _, context) =>
        {
            if (model == Nb2)
            {
                context.Response.Headers.RetryAfter = "30";
                return Answer(context, 429, "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}");
            }

            return Answer(context, 200, Success);
        });
        using var services = Services(server);
        var client = services.GetRequiredService<INanoBananaClient>();

        var first = await client.GenerateAsync("a cat", TestContext.Current.CancellationToken);
        var second = await client.GenerateAsync("a dog", TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.RateLimited, first.Attempts[0].Outcome);
        Assert.Equal(Pro, second.Model);
        Assert.Single(second.Attempts); // NB2 rests for the hinted 30 s: the plan puts it last and Pro answers
        Assert.Equal(1, server.Count(Nb2));
        Assert.Equal(2, server.Count(Pro));
    }

    [Fact]
    public async Task GenerateAsync_RedirectToAnotherHost_IsNotFollowed()
    {
        await using var server = await ScriptedServer.StartAsync((_, _, context) =>
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = "http://127.0.0.2:9/v1/chat/completions";
            return Task.CompletedTask;
        });
        using var services = Services(server);

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => services.GetRequiredService<INanoBananaClient>().GenerateAsync("a cat", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.BadRequest, error.Outcome);
        Assert.Equal(307, error.StatusCode);
        Assert.Equal(1, server.Total);
    }

    private static ServiceProvider Services(ScriptedServer server, Action<NanoBananaOptions>? adjust = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNanoBananaClient(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.ApiKey = ApiKey;
            o.PeakHours.Enabled = false; // the wall clock must not decide the order in these tests
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(5);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.TotalTimeout = TimeSpan.FromSeconds(20);
            adjust?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }

    private static Task Answer(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    /// <summary>Kestrel on 127.0.0.1, port 0; answers by (model, nth request for that model).</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, int> _counts = new();

        private ScriptedServer(WebApplication app) => _app = app;

        public Uri BaseAddress { get; private set; } = null!;

        public ConcurrentQueue<string> Authorizations { get; } = new();

        public int Total => _counts.Values.Sum();

        public int Count(string model) => _counts.GetValueOrDefault(model);

        public static async Task<ScriptedServer> StartAsync(Func<string, int, HttpContext, Task> answer)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var server = new ScriptedServer(app);
            app.MapPost("/v1/chat/completions", async context =>
            {
                using var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                var model = json.RootElement.GetProperty("model").GetString()!;
                var n = server._counts.AddOrUpdate(model, 1, (_, c) => c + 1);
                server.Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
                await answer(model, n, context).ConfigureAwait(false);
            });
            await app.StartAsync().ConfigureAwait(false);
            server.BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/v1/");
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
