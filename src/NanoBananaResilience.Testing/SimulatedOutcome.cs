namespace NanoBananaResilience.Testing;

/// <summary>
/// What the simulation decided to answer to one request.
/// </summary>
public enum SimulatedOutcome
{
    /// <summary>
    /// 200 with an image.
    /// </summary>
    Success,

    /// <summary>
    /// 503 <c>UNAVAILABLE</c>, "This model is currently experiencing high demand".
    /// </summary>
    Overloaded,

    /// <summary>
    /// 429 <c>RESOURCE_EXHAUSTED</c> for a per-minute quota, with a <c>google.rpc.RetryInfo</c> hint.
    /// </summary>
    RateLimited,

    /// <summary>
    /// 429 <c>RESOURCE_EXHAUSTED</c> for a daily quota (<c>quotaId</c> contains <c>PerDay</c>).
    /// </summary>
    QuotaExhausted,

    /// <summary>
    /// 200 whose answer is a safety block (<c>IMAGE_SAFETY</c> or <c>content_filter</c>) and no image.
    /// </summary>
    ContentBlocked,

    /// <summary>
    /// 200 with text only and no image.
    /// </summary>
    NoImage,

    /// <summary>
    /// 502 with a gateway's HTML page.
    /// </summary>
    BadGateway,

    /// <summary>
    /// 401 because the request did not carry the required API key.
    /// </summary>
    Unauthorized,

    /// <summary>
    /// 404 because the model id is not one the simulation knows.
    /// </summary>
    UnknownModel,

    /// <summary>
    /// 400 or 404 because the request itself was not a chat/completions call the simulation understands.
    /// </summary>
    BadRequest,
}
