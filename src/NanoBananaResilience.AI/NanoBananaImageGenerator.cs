using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace NanoBananaResilience.AI;

/// <summary>
/// Serves Microsoft.Extensions.AI's <see cref="IImageGenerator"/> with an <see cref="INanoBananaClient"/>: each
/// call goes through the client's whole chain (retries, breakers, fallback, peak window). Create it with
/// <see cref="NanoBananaImageGeneratorExtensions.AsImageGenerator"/>.
/// </summary>
/// <remarks>
/// What maps, and what does not:
/// <list type="bullet">
/// <item><see cref="ImageGenerationRequest.Prompt"/> is the prompt (required); <see cref="ImageGenerationRequest.OriginalImages"/>
/// must be <see cref="DataContent"/> images and become reference images, in order.</item>
/// <item><see cref="ImageGenerationOptions.ModelId"/> replaces the chain for the call (the client's breaker, retries
/// and timeouts still apply).</item>
/// <item><see cref="ImageGenerationOptions.ImageSize"/> becomes the size class of its long side (up to 512 → 0.5K,
/// 1024 → 1K, 2048 → 2K, above → 4K) and the aspect ratio of its reduced width:height (7:3 as 21:9). Gemini draws at its own
/// pixel sizes: expect the ratio and the class, not the exact pixels.</item>
/// <item><see cref="ImageGenerationOptions.Count"/> may only be 1: a call yields one image, and silently making
/// several paid calls would be a surprise. Call again for more.</item>
/// <item><see cref="ImageGenerationOptions.MediaType"/> cannot be requested from the models; the image comes back in
/// the format the endpoint chose, and <see cref="DataContent.MediaType"/> tells which (read from the bytes).</item>
/// <item><see cref="ImageGenerationOptions.ResponseFormat"/>: bytes come back as <see cref="DataContent"/>, an address
/// the gateway hosts as <see cref="UriContent"/>; <see cref="ImageGenerationResponseFormat.Hosted"/> is not supported.</item>
/// </list>
/// The response's <see cref="ImageGenerationResponse.RawRepresentation"/> is the <see cref="NanoBananaResult"/>,
/// with the serving model, the estimated cost and the attempts trail.
/// </remarks>
// IImageGenerator is experimental (MEAI001) in Microsoft.Extensions.AI; this type carries the same diagnostic on to
// callers instead of suppressing it, so they opt in knowingly.
[Experimental("MEAI001", UrlFormat = "https://aka.ms/dotnet-extensions-warnings/{0}")]
public sealed class NanoBananaImageGenerator : IImageGenerator
{
    /// <summary>The provider name reported in <see cref="ImageGeneratorMetadata"/>: <c>gcp.gemini</c>, as in the gen_ai semantic conventions.</summary>
    public const string ProviderName = NanoBananaDiagnostics.ProviderName;

    private readonly INanoBananaClient _client;
    private readonly ImageGeneratorMetadata _metadata;

    /// <summary>Creates a generator over a client; the generator does not own the client.</summary>
    /// <param name="client">The client that serves the calls.</param>
    /// <param name="defaultModelId">The model id reported as the default in <see cref="ImageGeneratorMetadata"/>, usually the first of the chain.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public NanoBananaImageGenerator(INanoBananaClient client, string? defaultModelId = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _metadata = new ImageGeneratorMetadata(ProviderName, providerUri: null, defaultModelId);
    }

    /// <summary>Generates an image for the request through the client's resilient chain.</summary>
    /// <param name="request">The prompt and any images to edit.</param>
    /// <param name="options">Model, size, and format options; see the remarks on <see cref="NanoBananaImageGenerator"/>.</param>
    /// <param name="cancellationToken">Cancels the call at once, a wait included.</param>
    /// <returns>One image, the usage, and the <see cref="NanoBananaResult"/> as the raw representation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">The prompt is empty, an original image is not inline image data, or the size cannot be expressed; nothing was sent.</exception>
    /// <exception cref="NotSupportedException">An option asks for something the models cannot do (<c>Count</c> above 1, a hosted response); nothing was sent.</exception>
    /// <exception cref="NanoBananaException">No model produced an image; its <see cref="NanoBananaException.Outcome"/> says why.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public async Task<ImageGenerationResponse> GenerateAsync(ImageGenerationRequest request, ImageGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ours = ImageGenerationMapper.ToRequest(request, options);
        var result = await _client.GenerateAsync(ours, cancellationToken).ConfigureAwait(false);
        return ImageGenerationMapper.ToResponse(result);
    }

    /// <summary>Gets the <see cref="ImageGeneratorMetadata"/>, the underlying <see cref="INanoBananaClient"/>, or this generator.</summary>
    /// <param name="serviceType">The type of service wanted.</param>
    /// <param name="serviceKey">A key; keyed services are not offered, so any key gives <see langword="null"/>.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is null.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ImageGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : serviceType.IsInstanceOfType(_client) ? _client
            : null;
    }

    /// <summary>Does nothing: the client belongs to whoever created it (usually the DI container).</summary>
    public void Dispose()
    {
    }
}
