namespace NanoBananaResilience;

/// <summary>What to generate: a prompt, optional reference images for editing, size, ratio and model.</summary>
public sealed class NanoBananaRequest
{
    /// <summary>Creates a request for a prompt.</summary>
    /// <param name="prompt">What to draw; must not be empty or white space.</param>
    /// <exception cref="ArgumentException">The prompt is null, empty or white space.</exception>
    public NanoBananaRequest(string prompt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prompt);
        Prompt = prompt;
    }

    /// <summary>Gets the prompt.</summary>
    public string Prompt { get; }

    /// <summary>Gets the images to edit or draw from, sent after the prompt in order.</summary>
    public IList<ReferenceImage> ReferenceImages { get; } = [];

    /// <summary>Gets or sets the image size. The default value is <see langword="null"/> (the model's default, 1K).</summary>
    public ImageSize? Size { get; set; }

    /// <summary>Gets or sets the aspect ratio. The default value is <see langword="null"/> (the model's default, 1:1).</summary>
    public AspectRatio? AspectRatio { get; set; }

    /// <summary>
    /// Gets or sets a model id that replaces the configured chain for this call (still with breaker, retries and
    /// timeouts). The default value is <see langword="null"/>: the configured chain.
    /// </summary>
    public string? Model { get; set; }

    /// <inheritdoc />
    public override string ToString()
        => $"NanoBananaRequest {{ Prompt = {Prompt.Length} chars, ReferenceImages = {ReferenceImages.Count}, Size = {Size?.ToString() ?? "default"}, AspectRatio = {AspectRatio?.ToString() ?? "default"}, Model = {Model ?? "chain"} }}";
}
