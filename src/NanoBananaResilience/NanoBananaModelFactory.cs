namespace NanoBananaResilience;

/// <summary>Builds results, images, attempts and exceptions, so code that uses the client can be tested with fakes.</summary>
public static class NanoBananaModelFactory
{
    /// <summary>Builds an image; the media type and size are read from the bytes when not given.</summary>
    /// <param name="data">The encoded bytes.</param>
    /// <param name="mediaType">The media type; read from the bytes when <see langword="null"/>.</param>
    /// <returns>The image.</returns>
    public static GeneratedImage GeneratedImage(ReadOnlyMemory<byte> data, string? mediaType = null)
    {
        var info = ImageInfo.Read(data.Span);
        return new GeneratedImage(data, mediaType ?? info.MediaType ?? "application/octet-stream", info.Width, info.Height);
    }

    /// <summary>Builds an attempt record.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="outcome">The outcome.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="elapsed">The attempt's duration.</param>
    /// <param name="waited">The wait after it.</param>
    /// <param name="decision">What followed; derived from the outcome when <see langword="null"/>.</param>
    /// <returns>The record.</returns>
    public static AttemptRecord AttemptRecord(
        string model,
        AttemptOutcome outcome,
        int? statusCode = null,
        TimeSpan elapsed = default,
        TimeSpan waited = default,
        AttemptDecision? decision = null)
        => new(model, outcome, statusCode, null, elapsed, waited, waited > TimeSpan.Zero ? WaitReason.Backoff : WaitReason.None,
            decision ?? (outcome == AttemptOutcome.Success ? AttemptDecision.Return : AttemptDecision.NextModel), null);

    /// <summary>Builds a result.</summary>
    /// <param name="image">The image.</param>
    /// <param name="model">The serving model.</param>
    /// <param name="attempts">The trail; one successful attempt when <see langword="null"/>.</param>
    /// <param name="text">Text beside the image.</param>
    /// <param name="usage">Usage figures.</param>
    /// <param name="estimatedCostUsd">The cost estimate.</param>
    /// <returns>The result.</returns>
    public static NanoBananaResult NanoBananaResult(
        GeneratedImage image,
        string model = NanoBananaModels.NanoBanana2,
        IReadOnlyList<AttemptRecord>? attempts = null,
        string? text = null,
        NanoBananaUsage? usage = null,
        decimal? estimatedCostUsd = null)
        => new([image], model, text, usage, attempts ?? [AttemptRecord(model, AttemptOutcome.Success)], estimatedCostUsd);

    /// <summary>Builds usage figures.</summary>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="completionTokens">Completion tokens.</param>
    /// <param name="imageTokens">Image tokens.</param>
    /// <param name="reportedCostUsd">The reported cost.</param>
    /// <returns>The usage.</returns>
    public static NanoBananaUsage Usage(int? promptTokens = null, int? completionTokens = null, int? imageTokens = null, decimal? reportedCostUsd = null)
        => new(promptTokens, completionTokens, promptTokens + completionTokens, imageTokens, reportedCostUsd);

    /// <summary>Builds the exception a failed call throws.</summary>
    /// <param name="outcome">The class of the failure.</param>
    /// <param name="message">The message.</param>
    /// <param name="details">Its details.</param>
    /// <returns>The exception.</returns>
    public static NanoBananaException Exception(AttemptOutcome outcome, string message = "The image could not be generated.", NanoBananaFailureDetails? details = null)
        => new(outcome, message, details);
}
