namespace NanoBananaResilience;

/// <summary>The defaults and bounds of <see cref="BatchOptions"/>.</summary>
internal static class BatchDefaults
{
    public const int MaxConcurrency = 4;

    // Far above what any gateway accepts from one key; a guard against a typo, not a tuning.
    public const int ConcurrencyCeiling = 1024;

    public const string ManifestFileName = "manifest.jsonl";

    public static readonly TimeSpan OffPeakMargin = TimeSpan.FromHours(1);
}
