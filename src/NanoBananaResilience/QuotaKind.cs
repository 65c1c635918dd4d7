namespace NanoBananaResilience;

/// <summary>Which quota a 429 refers to, when the body says.</summary>
public enum QuotaKind
{
    /// <summary>The body does not say.</summary>
    Unknown,

    /// <summary>A per-minute (or shorter) rate limit; it clears soon.</summary>
    PerMinute,

    /// <summary>A per-day quota; it clears when the day's quota resets.</summary>
    PerDay,
}
