namespace NanoBananaResilience;

/// <summary>
/// Builds the client's output models — results, images, attempts, usage, cost totals, model statuses — and its
/// exception, so that code using <see cref="INanoBananaClient"/> can be tested with fakes. Their constructors are not
/// public: this factory is the one way to build them, and it gains optional parameters as they gain fields.
/// </summary>
public static class NanoBananaModelFactory
{
    /// <summary>Builds an image; the media type, width and height are read from the bytes when not given.</summary>
    /// <param name="data">The encoded bytes; empty for an image the endpoint gave only as an address.</param>
    /// <param name="mediaType">The media type; read from the bytes when <see langword="null"/> (<c>application/octet-stream</c> when they are not a known image).</param>
    /// <param name="width">The width in pixels; read from the bytes when <see langword="null"/>.</param>
    /// <param name="height">The height in pixels; read from the bytes when <see langword="null"/>.</param>
    /// <param name="url">The address the endpoint gave instead of (or beside) the bytes.</param>
    /// <returns>The image.</returns>
    public static GeneratedImage GeneratedImage(ReadOnlyMemory<byte> data, string? mediaType = null, int? width = null, int? height = null, Uri? url = null)
    {
        var info = ImageInfo.Read(data.Span);
        return new GeneratedImage(data, mediaType ?? info.MediaType ?? "application/octet-stream", width ?? info.Width, height ?? info.Height, url);
    }

    /// <summary>Builds an attempt record.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="outcome">The outcome.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="elapsed">The attempt's duration.</param>
    /// <param name="waited">The wait after it.</param>
    /// <param name="decision">What followed; <see cref="AttemptDecision.Return"/> for a success, else <see cref="AttemptDecision.NextModel"/>, when <see langword="null"/>.</param>
    /// <param name="providerStatus">The provider's status word, such as <c>UNAVAILABLE</c>.</param>
    /// <param name="waitReason">Why the client waited; <see cref="WaitReason.Backoff"/> when <paramref name="waited"/> is positive, else <see cref="WaitReason.None"/>, when <see langword="null"/>.</param>
    /// <param name="detail">A short explanation.</param>
    /// <returns>The record.</returns>
    public static AttemptRecord AttemptRecord(
        string model,
        AttemptOutcome outcome,
        int? statusCode = null,
        TimeSpan elapsed = default,
        TimeSpan waited = default,
        AttemptDecision? decision = null,
        string? providerStatus = null,
        WaitReason? waitReason = null,
        string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new(
            model,
            outcome,
            statusCode,
            providerStatus,
            elapsed,
            waited,
            waitReason ?? (waited > TimeSpan.Zero ? WaitReason.Backoff : WaitReason.None),
            decision ?? (outcome == AttemptOutcome.Success ? AttemptDecision.Return : AttemptDecision.NextModel),
            detail);
    }

    /// <summary>Builds a result.</summary>
    /// <param name="images">The images, at least one.</param>
    /// <param name="model">The serving model.</param>
    /// <param name="attempts">The trail; one successful attempt on <paramref name="model"/> when <see langword="null"/>.</param>
    /// <param name="text">Text beside the image.</param>
    /// <param name="usage">Usage figures.</param>
    /// <param name="estimatedCostUsd">The cost estimate.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="images"/> is empty.</exception>
    public static NanoBananaResult NanoBananaResult(
        IReadOnlyList<GeneratedImage> images,
        string model = NanoBananaModels.NanoBanana2,
        IReadOnlyList<AttemptRecord>? attempts = null,
        string? text = null,
        NanoBananaUsage? usage = null,
        decimal? estimatedCostUsd = null)
        => new(images, model, text, usage, attempts ?? [AttemptRecord(model, AttemptOutcome.Success)], estimatedCostUsd);

    /// <summary>Builds usage figures.</summary>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="completionTokens">Completion tokens.</param>
    /// <param name="totalTokens">All tokens; the sum of the two when <see langword="null"/> and both are given.</param>
    /// <param name="imageTokens">Image tokens.</param>
    /// <param name="reportedCostUsd">The reported cost.</param>
    /// <returns>The usage.</returns>
    public static NanoBananaUsage NanoBananaUsage(int? promptTokens = null, int? completionTokens = null, int? totalTokens = null, int? imageTokens = null, decimal? reportedCostUsd = null)
        => new(promptTokens, completionTokens, totalTokens ?? promptTokens + completionTokens, imageTokens, reportedCostUsd);

    /// <summary>Builds one model's cost total, as <see cref="INanoBananaCostMeter.GetTotals"/> returns them.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="calls">The successful calls it served.</param>
    /// <param name="images">The images those calls returned.</param>
    /// <param name="costUsd">Their cost in US dollars, unpriced calls excluded.</param>
    /// <param name="unpricedCalls">The calls whose cost was unknown.</param>
    /// <returns>The total.</returns>
    public static ModelCostTotal ModelCostTotal(string model, long calls = 0, long images = 0, decimal costUsd = 0, long unpricedCalls = 0)
        => new(model, calls, images, costUsd, unpricedCalls);

    /// <summary>Builds one model's status, as <see cref="INanoBananaClient.GetModelStatuses"/> returns them.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="breakerState">The state of its breaker.</param>
    /// <param name="restingUntil">When it may be tried again, if it is resting.</param>
    /// <returns>The status.</returns>
    public static ModelStatus ModelStatus(string model, ModelBreakerState breakerState = ModelBreakerState.Closed, DateTimeOffset? restingUntil = null)
        => new(model, breakerState, restingUntil);

    /// <summary>Copies a record as if its request had gone through the named gateway (see <see cref="NanoBananaOptions.Gateways"/>).</summary>
    /// <param name="record">The record to copy.</param>
    /// <param name="gateway">The gateway's name.</param>
    /// <returns>The copy, with <see cref="NanoBananaResilience.AttemptRecord.Gateway"/> set.</returns>
    public static AttemptRecord ViaGateway(AttemptRecord record, string gateway)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Model, record.Outcome, record.StatusCode, record.ProviderStatus, record.Elapsed, record.Waited, record.WaitReason, record.Decision, record.Detail, gateway);
    }

    /// <summary>Copies a result as if the named gateway had delivered it.</summary>
    /// <param name="result">The result to copy.</param>
    /// <param name="gateway">The gateway's name.</param>
    /// <returns>The copy, with <see cref="NanoBananaResilience.NanoBananaResult.Gateway"/> set.</returns>
    public static NanoBananaResult ViaGateway(NanoBananaResult result, string gateway)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result.Images, result.Model, result.Text, result.Usage, result.Attempts, result.EstimatedCostUsd, gateway);
    }

    /// <summary>Copies a cost total as one route's: the model through the named gateway.</summary>
    /// <param name="total">The total to copy.</param>
    /// <param name="gateway">The gateway's name.</param>
    /// <returns>The copy, with <see cref="NanoBananaResilience.ModelCostTotal.Gateway"/> set.</returns>
    public static ModelCostTotal ViaGateway(ModelCostTotal total, string gateway)
    {
        ArgumentNullException.ThrowIfNull(total);
        return new(total.Model, total.Calls, total.Images, total.CostUsd, total.UnpricedCalls, gateway);
    }

    /// <summary>Copies a status as one route's: the model through the named gateway.</summary>
    /// <param name="status">The status to copy.</param>
    /// <param name="gateway">The gateway's name.</param>
    /// <returns>The copy, with <see cref="NanoBananaResilience.ModelStatus.Gateway"/> set.</returns>
    public static ModelStatus ViaGateway(ModelStatus status, string gateway)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(status.Model, status.BreakerState, status.RestingUntil, gateway);
    }

    /// <summary>Builds a client's schedule, for a fake <see cref="INanoBananaClient"/>.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="peakHoursEnabled">Whether the peak window applies.</param>
    /// <param name="peakStart">The window's UTC start; 10:00 when <see langword="null"/>.</param>
    /// <param name="peakEnd">The window's UTC end (exclusive); 14:00 when <see langword="null"/>.</param>
    /// <returns>The schedule.</returns>
    public static NanoBananaSchedule NanoBananaSchedule(TimeProvider? timeProvider = null, bool peakHoursEnabled = true, TimeSpan? peakStart = null, TimeSpan? peakEnd = null)
    {
        var defaults = new PeakHoursOptions();
        return new(timeProvider ?? TimeProvider.System, peakHoursEnabled, peakStart ?? defaults.Start, peakEnd ?? defaults.End);
    }

    /// <summary>Builds the exception a failed call throws.</summary>
    /// <param name="outcome">The class of the failure.</param>
    /// <param name="message">The message.</param>
    /// <param name="details">Its details.</param>
    /// <returns>The exception.</returns>
    public static NanoBananaException Exception(AttemptOutcome outcome, string message = "The image could not be generated.", NanoBananaFailureDetails? details = null)
        => new(outcome, message, details);
}
