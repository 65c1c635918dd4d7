using System.Net;
using System.Text;
using System.Text.Json;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Tests.Simulation;

/// <summary>
/// A gateway that answers from a script per model, at once, on a virtual clock, and records every request: the
/// instrument for pinning a strategy's exact request sequence.
/// </summary>
internal sealed class ScriptedGateway : HttpMessageHandler
{
    public const string Image = """{"choices":[{"message":{"role":"assistant","content":"","images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},"finish_reason":"stop"}]}""";
    public const string TextOnly = """{"choices":[{"message":{"role":"assistant","content":"I cannot draw that."},"finish_reason":"stop"}]}""";
    public const string Overloaded = """{"error":{"code":503,"message":"This model is currently experiencing high demand.","status":"UNAVAILABLE"}}""";

    private readonly Dictionary<string, Queue<Func<CancellationToken, Task<HttpResponseMessage>>>> _script = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    public ScriptedGateway(TimeProvider clock) => _clock = clock;

    public List<(string Model, TimeSpan At)> Requests { get; } = [];

    public DateTimeOffset Origin { get; set; }

    public ScriptedGateway Then(string model, HttpStatusCode status, string body = Image)
        => Enqueue(model, _ => Task.FromResult(Respond(status, body)));

    /// <summary>An answer that never comes: only the caller's timeout ends it.</summary>
    public ScriptedGateway ThenStall(string model)
        => Enqueue(model, async token =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _clock, token).ConfigureAwait(false);
            return Respond(HttpStatusCode.OK, Image);
        });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var model = body.RootElement.GetProperty("model").GetString()!;
        Requests.Add((model, _clock.GetUtcNow() - Origin));
        var answer = _script.TryGetValue(model, out var queue) && queue.Count > 0 ? queue.Dequeue() : _ => Task.FromResult(Respond(HttpStatusCode.InternalServerError, "{}"));
        return await answer(cancellationToken).ConfigureAwait(false);
    }

    private static HttpResponseMessage Respond(HttpStatusCode status, string body)
        => new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private ScriptedGateway Enqueue(string model, Func<CancellationToken, Task<HttpResponseMessage>> answer)
    {
        if (!_script.TryGetValue(model, out var queue))
        {
            _script[model] = queue = new();
        }

        queue.Enqueue(answer);
        return this;
    }
}
