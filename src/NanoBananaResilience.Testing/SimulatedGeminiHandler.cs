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
        var path = request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.AbsolutePath : request.RequestUri?.OriginalString ?? string.Empty;
        if (request.Method != HttpMethod.Post || !path.TrimEnd('/').EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            return new(string.Empty, SimulatedOutcome.BadRequest, 404, MediaTypes.Json, WireBodies.PathNotFound(), TimeSpan.Zero);
        }

        if (_requiredApiKey is not null && !HasApiKey(request, _requiredApiKey))
        {
            return new(string.Empty, SimulatedOutcome.Unauthorized, 401, MediaTypes.Json, WireBodies.Unauthorized(), TimeSpan.Zero);
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var chat = ChatRequest.TryParse(body, out var error);
        if (chat is null)
        {
            return new(string.Empty, SimulatedOutcome.BadRequest, 400, MediaTypes.Json, WireBodies.BadRequest(error!), TimeSpan.Zero);
        }

        return _engine.Decide(chat, arrival);
    }

    private static bool HasApiKey(HttpRequestMessage request, string key)
    {
        if (request.Headers.Authorization is { } authorization &&
            string.Equals(authorization.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) &&
            string.Equals(authorization.Parameter, key, StringComparison.Ordinal))
        {
            return true;
        }

        // Google's own header, which some proxies pass through.
        return request.Headers.TryGetValues("x-goog-api-key", out var values) && values.Contains(key, StringComparer.Ordinal);
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
