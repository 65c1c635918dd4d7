using System.Globalization;

namespace NanoBananaResilience;

/// <summary>The answer to a call: the images, the model that served them, and how it went.</summary>
public sealed class NanoBananaResult
{
    // Internal so that a field can be added without breaking callers; tests build results with NanoBananaModelFactory.
    /// <param name="images">The images, at least one.</param>
    /// <param name="model">The model that served.</param>
    /// <param name="text">Text the model returned beside the image.</param>
    /// <param name="usage">Token and cost figures.</param>
    /// <param name="attempts">Every step of the call.</param>
    /// <param name="estimatedCostUsd">The estimated cost.</param>
    /// <param name="gateway">The gateway that delivered the image, or <see langword="null"/> without named gateways.</param>
    internal NanoBananaResult(
        IReadOnlyList<GeneratedImage> images,
        string model,
        string? text,
        NanoBananaUsage? usage,
        IReadOnlyList<AttemptRecord> attempts,
        decimal? estimatedCostUsd,
        string? gateway = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(attempts);
        if (images.Count == 0)
        {
            throw new ArgumentException("A result holds at least one image.", nameof(images));
        }

        Images = images;
        Model = model;
        Text = text;
        Usage = usage;
        Attempts = attempts;
        EstimatedCostUsd = estimatedCostUsd;
        Gateway = gateway;
    }

    /// <summary>Gets the images; usually one. Interim "thought" images are left out.</summary>
    public IReadOnlyList<GeneratedImage> Images { get; }

    /// <summary>Gets the first image.</summary>
    public GeneratedImage Image => Images[0];

    /// <summary>Gets the model that served the image.</summary>
    public string Model { get; }

    /// <summary>
    /// Gets the name of the gateway that delivered the image (<see cref="GatewayOptions.Name"/>), or
    /// <see langword="null"/> when the client has one <see cref="NanoBananaOptions.BaseAddress"/> and no named gateways.
    /// </summary>
    public string? Gateway { get; }

    /// <summary>Gets any text the model returned with the image, without image markup.</summary>
    public string? Text { get; }

    /// <summary>Gets the token counts and reported cost, when the endpoint sent them.</summary>
    public NanoBananaUsage? Usage { get; }

    /// <summary>Gets every step of the call, failed ones first, the successful one last.</summary>
    public IReadOnlyList<AttemptRecord> Attempts { get; }

    /// <summary>
    /// Gets the estimated cost in US dollars: the endpoint's reported cost when it gave one, else the configured
    /// or list price of the serving model for the image size. <see langword="null"/> when neither is known.
    /// </summary>
    public decimal? EstimatedCostUsd { get; }

    /// <summary>Writes the first image to a file (atomically).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public Task SaveAsync(string path, CancellationToken cancellationToken = default) => Image.SaveAsync(path, cancellationToken);

    /// <inheritdoc />
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Images.Count} image(s) from {Model} after {Attempts.Count} attempt(s), first {Image}, estimated cost {EstimatedCostUsd?.ToString("0.####", CultureInfo.InvariantCulture) ?? "unknown"} USD");
}
