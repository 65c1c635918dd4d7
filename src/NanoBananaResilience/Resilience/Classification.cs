namespace NanoBananaResilience;

/// <summary>The verdict on one response: its class, and what the policy needs to act on it.</summary>
internal readonly record struct Classification(
    AttemptOutcome Outcome,
    string? ProviderStatus,
    RetryHint? Hint,
    QuotaKind Quota,
    string Detail);
