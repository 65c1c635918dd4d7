using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>One scripted answer: given the request, produce the response (or stall, or throw).</summary>
internal delegate Task<HttpResponseMessage> Reply(HttpRequestMessage request, CancellationToken cancellationToken);

/// <summary>A response that remembers whether it was disposed.</summary>
internal sealed class TrackedResponse(HttpStatusCode status) : HttpResponseMessage(status)
{
    public bool Disposed { get; private set; }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>A request as the handler saw it.</summary>
internal sealed record SeenRequest(string Model, string Body, Uri? Uri, AuthenticationHeaderValue? Authorization);

/// <summary>
/// A test double for the endpoint: answers per model id read from the request JSON, in script order (the last
/// answer repeats), counts requests per model and keeps every response it made so the test can check disposal.
/// </summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Reply[]> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<TrackedResponse> _responses = new();
    private readonly ConcurrentQueue<SeenRequest> _requests = new();

    public IReadOnlyCollection<TrackedResponse> Responses => _responses;

    public IReadOnlyList<SeenRequest> Requests => [.. _requests];

    public int Total => _requests.Count;

    /// <summary>Sets the answers for a model, in order; the last one repeats.</summary>
    public ScriptedHandler On(string model, params Reply[] replies)
    {
        _scripts[model] = replies;
        return this;
    }

    public int Count(string model) => _counts.TryGetValue(model, out var count) ? count : 0;

    public void AssertAllResponsesDisposed()
    {
        Assert.All(_responses, response => Assert.True(response.Disposed, $"a {(int)response.StatusCode} response was not disposed"));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        using var json = JsonDocument.Parse(body);
        var model = json.RootElement.GetProperty("model").GetString()!;
        _requests.Enqueue(new SeenRequest(model, body, request.RequestUri, request.Headers.Authorization));
        var index = _counts.AddOrUpdate(model, 1, (_, n) => n + 1) - 1;
        if (!_scripts.TryGetValue(model, out var script) || script.Length == 0)
        {
            throw new InvalidOperationException($"No script for model '{model}'.");
        }

        var response = await script[Math.Min(index, script.Length - 1)](request, cancellationToken);
        if (response is TrackedResponse tracked)
        {
            _responses.Enqueue(tracked);
        }

        response.RequestMessage = request;
        return response;
    }
}

/// <summary>Ready-made answers.</summary>
internal static class Replies
{
    public static string ImageBody(string base64 = TestImages.TinyPngBase64, string mediaType = "image/png", string extra = "")
        => $$$"""{"model":"m","choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"","images":[{"type":"image_url","image_url":{"url":"data:{{{mediaType}}};base64,{{{base64}}}"}}]}}]{{{extra}}}}""";

    public static Reply Image() => Json(200, ImageBody());

    public static Reply Json(int status, string body, Action<HttpResponseHeaders>? headers = null)
        => Body(status, body, "application/json", headers);

    public static Reply Body(int status, string body, string mediaType, Action<HttpResponseHeaders>? headers = null)
        => (_, _) =>
        {
            var response = new TrackedResponse((HttpStatusCode)status)
            {
                Content = new StringContent(body, Encoding.UTF8, mediaType),
            };
            headers?.Invoke(response.Headers);
            return Task.FromResult<HttpResponseMessage>(response);
        };

    public static Reply Fixture(int status, string name, string mediaType = "application/json", Action<HttpResponseHeaders>? headers = null)
        => Body(status, WireFixtures.Text(name), mediaType, headers);

    /// <summary>Google's 503 "overloaded" envelope.</summary>
    public static Reply Overloaded(Action<HttpResponseHeaders>? headers = null) => Fixture(503, "google-503.json", headers: headers);

    /// <summary>A 503 whose body carries a RetryInfo hint.</summary>
    public static Reply OverloadedWithRetryInfo(string retryDelay)
        => Json(503, $$$"""{"error":{"code":503,"message":"This model is currently experiencing high demand.","status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"{{{retryDelay}}}"}]}}""");

    /// <summary>A per-minute 429 with a RetryInfo hint.</summary>
    public static Reply RateLimited(string retryDelay)
        => Json(429, $$$"""{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateRequestsPerMinutePerProjectPerModel"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"{{{retryDelay}}}"}]}}""");

    /// <summary>A daily-quota 429 with a RetryInfo hint.</summary>
    public static Reply QuotaPerDay(string retryDelay)
        => Json(429, $$$"""{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"{{{retryDelay}}}"}]}}""");

    /// <summary>Never answers: waits on the given clock until the attempt is cancelled.</summary>
    public static Reply Stall(TimeProvider time) => async (_, cancellationToken) =>
    {
        await Task.Delay(TimeSpan.FromDays(1), time, cancellationToken);
        throw new InvalidOperationException("unreachable");
    };

    public static Reply Throw(Exception exception) => (_, _) => Task.FromException<HttpResponseMessage>(exception);

    public static Action<HttpResponseHeaders> RetryAfterSeconds(int seconds)
        => headers => headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
}
