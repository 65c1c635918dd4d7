namespace NanoBananaResilience;

/// <summary>Generates images with Gemini's image models, through overloads, rate limits and slow answers.</summary>
public interface INanoBananaClient
{
    /// <summary>Generates an image for a prompt with the configured chain.</summary>
    /// <param name="prompt">What to draw.</param>
    /// <param name="cancellationToken">Cancels the call at once, a wait included.</param>
    /// <returns>The image, the serving model, and the attempts trail.</returns>
    /// <exception cref="ArgumentException">The prompt is null, empty or white space; nothing was sent.</exception>
    /// <exception cref="NanoBananaException">No model produced an image; <see cref="NanoBananaException.Outcome"/> says why.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    Task<NanoBananaResult> GenerateAsync(string prompt, CancellationToken cancellationToken = default);

    /// <summary>Generates an image for a request (reference images, size, aspect ratio, model).</summary>
    /// <param name="request">What to generate.</param>
    /// <param name="cancellationToken">Cancels the call at once, a wait included.</param>
    /// <returns>The image, the serving model, and the attempts trail.</returns>
    /// <exception cref="ArgumentNullException">The request is null.</exception>
    /// <exception cref="NanoBananaException">No model produced an image; <see cref="NanoBananaException.Outcome"/> says why.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    Task<NanoBananaResult> GenerateAsync(NanoBananaRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets each model's breaker state and rest time, for health checks.</summary>
    /// <returns>One entry per model the client has used or is configured with.</returns>
    IReadOnlyList<ModelStatus> GetModelStatuses();

    /// <summary>Gets what this client's calls have cost, per model, and the spend inside the budget window.</summary>
    INanoBananaCostMeter Costs { get; }

    /// <summary>Gets the client's clock and peak window, for work scheduled around it (a batch uses both).</summary>
    NanoBananaSchedule Schedule { get; }
}
