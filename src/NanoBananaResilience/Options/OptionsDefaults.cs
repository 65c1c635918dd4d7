namespace NanoBananaResilience;

/// <summary>The default value of every tunable, in one place.</summary>
internal static class OptionsDefaults
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan PeakStart = TimeSpan.FromHours(10);
    public static readonly TimeSpan PeakEnd = TimeSpan.FromHours(14);
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(1);
    public const double BreakerFailureRatio = 0.5;
    public const int BreakerMinimumThroughput = 8;
    public static readonly TimeSpan BreakerSamplingDuration = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxBreakDuration = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan RateLimitCooldown = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMinutes(5);
    public const long MaxImageBytes = 64L * 1024 * 1024;
    public static readonly TimeSpan BudgetPeriod = TimeSpan.FromHours(24);
    public static readonly TimeSpan ImageDownloadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The non-image part of a response (text, usage, envelope) is small; a larger one is hostile.</summary>
    public const int MaxSkeletonBytes = 4 * 1024 * 1024;

    /// <summary>Error bodies are read up to this many bytes; the rest is drained unread.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>How much of a body an exception quotes.</summary>
    public const int BodyExcerptChars = 512;

    /// <summary>The longest hint kept at all (a "1e9s" RetryInfo is clamped to it).</summary>
    public static readonly TimeSpan LongestHint = TimeSpan.FromDays(2);
}
