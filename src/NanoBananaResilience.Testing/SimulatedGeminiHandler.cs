using System.Net;
using System.Net.Http.Headers;
using NanoBananaResilience.Testing.Internal;

namespace NanoBananaResilience.Testing;

/// <summary>
/// An in-memory gateway in front of simulated Gemini image models: answers <c>POST {base}/chat/completions</c> the way
/// the real ones do on a bad day, with overloads correlated in time, rate limits, safety blocks, gateway pages and
/// every known response shape. Use it as <c>new HttpClient(new SimulatedGeminiHandler(options, timeProvider))</c>.
/// </summary>
/// <remarks>
/// <para>
/// It also answers Google's own API, <c>POST …/models/{model}:generateContent</c> and
/// <c>…:streamGenerateContent</c> (with <c>alt=sse</c>, one event; without, a JSON array), with the key in the
/// <c>x-goog-api-key</c> header or the <c>key</c> query parameter, in Google's format: <c>inlineData</c> parts, its
/// error envelope with <c>RetryInfo</c>, <c>finishReason: IMAGE_SAFETY</c>. The same world decides both endpoints.
/// </para>
/// <para>
/// The answer to a request is a deterministic function of <see cref="SimulatedGeminiOptions.Seed"/>, the model, the
/// request's arrival time on <see cref="TimeProvider"/> and how many requests for that model arrived at that same
/// instant. Latency is waited with <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>, so a fake or
/// virtual clock drives it.
/// </para>
/// <para>Instances are thread-safe. Options are read once, in the constructor.</para>
/// </remarks>
public sealed class SimulatedGeminiHandler : HttpMessageHandler
{
    private readonly SimulationEngine _engine;
    private readonly string? _requiredApiKey;
    private readonly double _latencyScale;

    /// <summary>
    /// Initializes a new instance of the <see cref="SimulatedGeminiHandler"/> class with the default options and the
    /// system clock.
    /// </summary>
    public SimulatedGeminiHandler()
        : this(new SimulatedGeminiOptions(), TimeProvider.System)
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="SimulatedGeminiHandler"/> class.
    /// </summary>
    /// <param name="options">The simulation's options; read once, here.</param>
    /// <param name="timeProvider">The clock that decides the hour of day and drives every latency.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and its value.</exception>
    public SimulatedGeminiHandler(SimulatedGeminiOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        OptionsValidator.Validate(options);

        TimeProvider = timeProvider;
        Statistics = new SimulatedGeminiStatistics(options.RequestLogCapacity);
        _requiredApiKey = options.RequiredApiKey;
        _latencyScale = options.LatencyScale;
        _engine = new SimulationEngine(options);
    }

    /// <summary>
    /// Gets the clock the simulation runs on.
    /// </summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Gets the counts and the log of requests served.
    /// </summary>
    public SimulatedGeminiStatistics Statistics { get; }

    /// <summary>
    /// Returns whether a model is inside an overload episode at a given time.
    /// </summary>
    /// <param name="model">A model id that has a profile.</param>
    /// <param name="time">Any instant.</param>
    /// <returns><see langword="true"/> while the model is overloaded.</returns>
    /// <exception cref="ArgumentException">The model has no profile.</exception>
    /// <remarks>The <see cref="SimulatedWorld.Noise"/> world has no episodes: there this is always <see langword="false"/>.</remarks>
    public bool IsOverloaded(string model, DateTimeOffset time) => GetWorld(model).IsOverloaded(time);

    /// <summary>
    /// Returns the chance that a request for a model arriving at a given time is answered 503: the world's state at that
    /// instant (inside or outside an episode, the episode's shedding share, or the hour's rate in the noise world),
    /// not the draw a particular request will get.
    /// </summary>
    /// <param name="model">A model id that has a profile.</param>
    /// <param name="time">Any instant.</param>
    /// <returns>A probability in [0, 1].</returns>
    /// <exception cref="ArgumentException">The model has no profile.</exception>
    public double GetOverloadProbability(string model, DateTimeOffset time) => GetWorld(model).GetFailureRate(time);

    /// <summary>
    /// Returns the overload episodes of a model that intersect a time range, in order. Episodes that straddle the
    /// range are returned whole.
    /// </summary>
    /// <param name="model">A model id that has a profile.</param>
    /// <param name="from">The start of the range.</param>
    /// <param name="to">The end of the range.</param>
    /// <returns>The episodes, in order of start.</returns>
    /// <exception cref="ArgumentException">The model has no profile, or <paramref name="to"/> precedes <paramref name="from"/>.</exception>
    public IReadOnlyList<SimulatedOverloadEpisode> GetOverloadEpisodes(string model, DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from)
        {
            throw new ArgumentException($"The range end {to:O} precedes its start {from:O}.", nameof(to));
        }

        return GetWorld(model).GetEpisodes(from, to);
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arrival = TimeProvider.GetUtcNow();
        var answer = await DecideAsync(request, arrival, cancellationToken).ConfigureAwait(false);

        var delay = _latencyScale == 1 ? answer.Latency : answer.Latency * _latencyScale;
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Statistics.Record(new(arrival, answer.Model, answer.Outcome, answer.StatusCode, answer.Latency, Canceled: true));
                throw;
            }
        }

        Statistics.Record(new(arrival, answer.Model, answer.Outcome, answer.StatusCode, answer.Latency, Canceled: false));

        var content = new ByteArrayContent(answer.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue(answer.MediaType) { CharSet = "utf-8" };
        return new HttpResponseMessage((HttpStatusCode)answer.StatusCode)
        {
            Content = content,
            RequestMessage = request,
        };
    }

    private async Task<SimulatedAnswer> DecideAsync(HttpRequestMessage request, DateTimeOffset arrival, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri;
        var path = uri?.IsAbsoluteUri == true ? uri.AbsolutePath : uri?.OriginalString ?? string.Empty;
        if (request.Method == HttpMethod.Post && NativeRoute.TryMatch(path, out var route))
        {
            return await DecideNativeAsync(request, route, arrival, cancellationToken).ConfigureAwait(false);
        }

        if (request.Method != HttpMethod.Post || !path.TrimEnd('/').EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            return new(string.Empty, SimulatedOutcome.BadRequest, 404, MediaTypes.Json, WireBodies.PathNotFound(), TimeSpan.Zero);
        }

        if (_requiredApiKey is not null && !HasBearerKey(request, _requiredApiKey) && !HasGoogleKey(request, _requiredApiKey))
        {
            return new(string.Empty, SimulatedOutcome.Unauthorized, 401, MediaTypes.Json, WireBodies.Unauthorized(), TimeSpan.Zero);
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var chat = SimulatedRequest.TryParseChat(body, out var error);
        if (chat is null)
        {
            return new(string.Empty, SimulatedOutcome.BadRequest, 400, MediaTypes.Json, WireBodies.BadRequest(error!), TimeSpan.Zero);
        }

        return _engine.Decide(chat, arrival);
    }

    private async Task<SimulatedAnswer> DecideNativeAsync(HttpRequestMessage request, NativeRoute route, DateTimeOffset arrival, CancellationToken cancellationToken)
    {
        // Google takes the key from its header or the query (Portkey's google provider uses the query), never a bearer token.
        if (_requiredApiKey is not null && !HasGoogleKey(request, _requiredApiKey) && !HasQueryKey(request.RequestUri!, _requiredApiKey))
        {
            return new(string.Empty, SimulatedOutcome.Unauthorized, 400, MediaTypes.Json, WireBodies.ApiKeyInvalid(), TimeSpan.Zero);
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var parsed = SimulatedRequest.TryParseGenerateContent(route.Model, body, out var error);
        var answer = parsed is null
            ? new(string.Empty, SimulatedOutcome.BadRequest, 400, MediaTypes.Json, WireBodies.BadRequest(error!), TimeSpan.Zero)
            : _engine.Decide(parsed, arrival);
        if (!route.Streaming || answer.StatusCode != 200)
        {
            return answer; // a stream that fails before its first chunk is an ordinary error response
        }

        return QueryValue(request.RequestUri!, "alt") == "sse"
            ? answer with { MediaType = MediaTypes.EventStream, Body = WireBodies.AsEventStream(answer.Body) }
            : answer with { Body = WireBodies.AsJsonArray(answer.Body) };
    }

    private static bool HasBearerKey(HttpRequestMessage request, string key)
        => request.Headers.Authorization is { } authorization &&
            string.Equals(authorization.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) &&
            string.Equals(authorization.Parameter, key, StringComparison.Ordinal);

    /// <summary>Google's own header, which some proxies pass through.</summary>
    private static bool HasGoogleKey(HttpRequestMessage request, string key)
        => request.Headers.TryGetValues("x-goog-api-key", out var values) && values.Contains(key, StringComparer.Ordinal);

    private static bool HasQueryKey(Uri uri, string key) => string.Equals(QueryValue(uri, "key"), key, StringComparison.Ordinal);

    private static string? QueryValue(Uri uri, string name)
    {
        if (!uri.IsAbsoluteUri)
        {
            return null;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && Uri.UnescapeDataString(pair[..equals]) == name)
            {
                return Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
        }

        return null;
    }

    private ModelWorld GetWorld(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var slash = model.LastIndexOf('/');
        var id = slash >= 0 ? model[(slash + 1)..] : model;
        return _engine.TryGetWorld(id, out var world)
            ? world
            : throw new ArgumentException($"The simulation has no profile for model '{model}'.", nameof(model));
    }
}
