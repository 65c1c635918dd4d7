namespace NanoBananaResilience;

/// <summary>The defaults and bounds of <see cref="BatchOptions"/>.</summary>
internal static class BatchDefaults
{
    public const int MaxConcurrency = 4;

    // Far above what any gateway accepts from one key; a guard against a typo, not a tuning.
    public const int ConcurrencyCeiling = 1024;

    public const string ManifestFileName = "manifest.jsonl";

    public const string LockFileName = ".batch.lock";

    public const int ItemRetries = 2;

    public static readonly TimeSpan OffPeakMargin = TimeSpan.FromHours(1);

    public static readonly TimeSpan ItemRetryDelay = TimeSpan.FromMinutes(1);

    // A zero hint would turn an item retry into a tight loop; a daily-quota hint of hours is better met by a rerun.
    public static readonly TimeSpan MinItemRetryDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxItemRetryDelay = TimeSpan.FromMinutes(15);
}
