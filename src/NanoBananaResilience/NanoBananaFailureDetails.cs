namespace NanoBananaResilience;

/// <summary>The details carried by a <see cref="NanoBananaException"/>.</summary>
public sealed class NanoBananaFailureDetails
{
    internal static readonly NanoBananaFailureDetails Empty = new();

    /// <summary>Gets the HTTP status of the last response.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets the provider's status word.</summary>
    public string? ProviderStatus { get; init; }

    /// <summary>Gets the model of the last attempt.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the gateway of the last attempt, or <see langword="null"/> without named gateways.</summary>
    public string? Gateway { get; init; }

    /// <summary>Gets how long to wait before trying again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets when trying again makes sense.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>Gets which quota a 429 refers to.</summary>
    public QuotaKind QuotaKind { get; init; }

    /// <summary>Gets a bounded excerpt of the last body.</summary>
    public string? BodyExcerpt { get; init; }

    /// <summary>Gets every step of the call.</summary>
    public IReadOnlyList<AttemptRecord>? Attempts { get; init; }
}
