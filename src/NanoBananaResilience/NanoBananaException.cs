using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace NanoBananaResilience;

/// <summary>
/// A call that produced no image. <see cref="Outcome"/> says why, and the rest says what a caller needs to act:
/// status, model, retry hint, quota, a bounded excerpt of the body, and every attempt. Never the API key.
/// </summary>
/// <remarks>
/// Bad input is reported before anything is sent, with <see cref="ArgumentException"/>; the caller's
/// cancellation with <see cref="OperationCanceledException"/>. Everything else the endpoint can do ends here.
/// There is no constructor without an <see cref="AttemptOutcome"/>: an exception that did not say what happened would
/// have to claim an outcome, and with it an <see cref="IsTransient"/> it does not know.
/// </remarks>
[SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Every instance states its outcome, which IsTransient and callers' handling depend on; a constructor without one would have to invent it.")]
public sealed class NanoBananaException : Exception
{
    /// <summary>Creates an exception; see <see cref="NanoBananaModelFactory"/> for building one in tests.</summary>
    /// <param name="outcome">The class of the failure that ended the call.</param>
    /// <param name="message">A message for people.</param>
    /// <param name="details">The details of the failure.</param>
    /// <param name="innerException">The exception behind it, if any.</param>
    public NanoBananaException(AttemptOutcome outcome, string message, NanoBananaFailureDetails? details = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Outcome = outcome;
        details ??= NanoBananaFailureDetails.Empty;
        StatusCode = details.StatusCode;
        ProviderStatus = details.ProviderStatus;
        Model = details.Model;
        Gateway = details.Gateway;
        RetryAfter = details.RetryAfter;
        RetryAt = details.RetryAt;
        QuotaKind = details.QuotaKind;
        BodyExcerpt = details.BodyExcerpt;
        Attempts = details.Attempts ?? [];
    }

    /// <summary>Gets the class of the failure that ended the call (for an exhausted chain, the last model's).</summary>
    public AttemptOutcome Outcome { get; }

    /// <summary>
    /// Gets a value indicating whether the call failed for a reason that may pass with time, so trying again later may
    /// work: every outcome that moves on to the next model (overload, server error, rate limit, quota, timeout, open
    /// breaker, no image, protocol error, response too large, unknown model). Not for a content block, a refused key
    /// or payment, a bad request, a budget refusal or the caller's cancellation — nor when every model that answered
    /// was unknown to the gateway (<see cref="IsUnknownModels"/>), which only a change of configuration fixes.
    /// </summary>
    public bool IsTransient => Outcome switch
    {
        AttemptOutcome.Overloaded or AttemptOutcome.ServerError or AttemptOutcome.RateLimited or AttemptOutcome.QuotaExhausted
            or AttemptOutcome.Timeout or AttemptOutcome.CircuitOpen or AttemptOutcome.NoImage or AttemptOutcome.ProtocolError
            or AttemptOutcome.ResponseTooLarge => true,
        AttemptOutcome.ModelNotFound => !IsUnknownModels,
        _ => false,
    };

    /// <summary>
    /// Gets a value indicating whether every model the call reached answered "unknown model" (HTTP 404): the
    /// configured ids are not ones this gateway serves, so <c>NanoBanana:Models</c> needs changing and no retry helps.
    /// Models skipped without a request (open breaker) do not count either way.
    /// </summary>
    public bool IsUnknownModels => Outcome == AttemptOutcome.ModelNotFound
        && Attempts.All(a => a.Outcome is AttemptOutcome.ModelNotFound or AttemptOutcome.CircuitOpen);

    /// <summary>Gets the HTTP status of the last response, if one came.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the provider's status word of the last response, such as <c>UNAVAILABLE</c> or <c>IMAGE_SAFETY</c>.</summary>
    public string? ProviderStatus { get; }

    /// <summary>Gets the model of the last attempt.</summary>
    public string? Model { get; }

    /// <summary>
    /// Gets the gateway of the last attempt (<see cref="GatewayOptions.Name"/>), or <see langword="null"/> when the
    /// client has no named gateways.
    /// </summary>
    public string? Gateway { get; }

    /// <summary>Gets how long the server (or the earliest reopening breaker) asks the caller to wait, if known.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets when trying again makes sense, if known.</summary>
    public DateTimeOffset? RetryAt { get; }

    /// <summary>Gets which quota a 429 refers to.</summary>
    public QuotaKind QuotaKind { get; }

    /// <summary>Gets the start of the last response body (at most 512 characters), for diagnosis.</summary>
    public string? BodyExcerpt { get; }

    /// <summary>Gets every step of the call.</summary>
    public IReadOnlyList<AttemptRecord> Attempts { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder(base.ToString());
        text.AppendLine().Append(CultureInfo.InvariantCulture, $"Outcome: {Outcome}; status: {StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}; provider status: {ProviderStatus ?? "-"}; model: {Model ?? "-"}");
        if (RetryAfter is not null)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"Retry after: {RetryAfter}");
        }

        foreach (var attempt in Attempts)
        {
            text.AppendLine().Append("  ").Append(attempt);
        }

        return text.ToString();
    }
}
