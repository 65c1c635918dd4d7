using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace NanoBananaResilience;

/// <summary>
/// The client: a typed <see cref="HttpClient"/> for an OpenAI-compatible <c>chat/completions</c> endpoint, or for
/// Google's own <c>generateContent</c> (<see cref="NanoBananaOptions.Protocol"/>), with a Polly pipeline per model behind it. Thread-safe. Register it with <c>services.AddNanoBananaClient(…)</c>, or
/// create one with <see cref="Create"/>.
/// </summary>
/// <remarks>
/// A client from <see cref="Create"/> owns what it built — its meter (unless an <see cref="IMeterFactory"/> made it)
/// and, when <c>ImageDownload</c> is enabled, the downloader's connections — and releases them when disposed. It does
/// not dispose the <see cref="HttpClient"/> it was given. Clients from dependency injection are owned by the container
/// and are not <see cref="NanoBananaClient"/> instances.
/// </remarks>
public sealed class NanoBananaClient : INanoBananaClient, IDisposable, IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly NanoBananaEngine _engine;
    private readonly bool _ownsEngine;
    private int _disposed;

    /// <summary>Creates a client over an engine; <paramref name="ownsEngine"/> says whether disposing this client disposes it.</summary>
    internal NanoBananaClient(HttpClient http, NanoBananaEngine engine, bool ownsEngine = false)
    {
        _http = http;
        _engine = engine;
        _ownsEngine = ownsEngine;
    }

    /// <summary>
    /// Creates a client outside dependency injection. Keep it for the life of the application, as you would an
    /// <see cref="HttpClient"/>: breakers and cooldowns live in it. Dispose it when you are done with it, after its
    /// calls have ended.
    /// </summary>
    /// <param name="httpClient">The client to send with; its <c>Timeout</c> should be infinite (the pipeline owns timing) and it must not retry.</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where logs go; nowhere when <see langword="null"/>.</param>
    /// <param name="meterFactory">Where metrics are created; a plain meter when <see langword="null"/>.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message names each key and value.</exception>
    public static NanoBananaClient Create(
        HttpClient httpClient,
        NanoBananaOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        return new NanoBananaClient(httpClient, new NanoBananaEngine(options, timeProvider, loggerFactory, meterFactory), ownsEngine: true);
    }

    /// <inheritdoc />
    public Task<NanoBananaResult> GenerateAsync(string prompt, CancellationToken cancellationToken = default)
        => GenerateAsync(new NanoBananaRequest(prompt), cancellationToken);

    /// <inheritdoc />
    public Task<NanoBananaResult> GenerateAsync(NanoBananaRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(request);
        if (request.ReferenceImages.Any(image => image is null))
        {
            throw new ArgumentException("ReferenceImages must not contain null.", nameof(request));
        }

        if (request.Model is { } model && string.IsNullOrWhiteSpace(model))
        {
            throw new ArgumentException("Model must be null (use the chain) or a model id, not white space.", nameof(request));
        }

        return _engine.Downloader is null ? _engine.GenerateAsync(_http, request, cancellationToken) : GenerateAndDownloadAsync(_engine.Downloader, request, cancellationToken);
    }

    /// <summary>Generates, then fetches any image the endpoint gave only as an address (ImageDownload enabled).</summary>
    private async Task<NanoBananaResult> GenerateAndDownloadAsync(ImageDownloader downloader, NanoBananaRequest request, CancellationToken cancellationToken)
    {
        var result = await _engine.GenerateAsync(_http, request, cancellationToken).ConfigureAwait(false);
        if (!result.Images.Any(image => image.Data.IsEmpty && image.Url is not null))
        {
            return result;
        }

        var images = new List<GeneratedImage>(result.Images.Count);
        foreach (var image in result.Images)
        {
            if (!image.Data.IsEmpty || image.Url is not { } url)
            {
                images.Add(image);
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = await downloader.DownloadAsync(url, cancellationToken).ConfigureAwait(false);
            }
            catch (ImageDownloadRefusedException e)
            {
                throw DownloadFailed(result, e.Message);
            }

            var info = ImageInfo.Read(bytes);
            if (info.MediaType is null)
            {
                throw DownloadFailed(result, "the address did not return a recognised image");
            }

            images.Add(new GeneratedImage(bytes, info.MediaType, info.Width, info.Height, url));
        }

        return new NanoBananaResult(images, result.Model, result.Text, result.Usage, result.Attempts, result.EstimatedCostUsd, result.Gateway);
    }

    private static NanoBananaException DownloadFailed(NanoBananaResult result, string why)
        => new(
            AttemptOutcome.ProtocolError,
            $"{result.Model} answered with an image address that was not fetched: {why} (NanoBanana:ImageDownload).",
            new NanoBananaFailureDetails { Model = result.Model, Attempts = result.Attempts });

    /// <inheritdoc />
    public IReadOnlyList<ModelStatus> GetModelStatuses() => _engine.GetModelStatuses();

    /// <inheritdoc />
    public INanoBananaCostMeter Costs => _engine.Costs;

    /// <inheritdoc />
    public NanoBananaSchedule Schedule => _engine.Schedule;

    /// <summary>Releases what <see cref="Create"/> built: the meter and the image downloader. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsEngine)
        {
            _engine.Dispose();
        }
    }

    /// <summary>Releases what <see cref="Create"/> built, as <see cref="Dispose"/> does; nothing in it needs to wait.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
