using System.Globalization;
using System.Net.Http.Headers;

namespace NanoBananaResilience;

/// <summary>A server's request to wait, and where it came from.</summary>
internal readonly record struct RetryHint(TimeSpan Delay, WaitReason Source)
{
    /// <summary>Reads <c>retry-after-ms</c> and <c>Retry-After</c> (seconds or an HTTP date).</summary>
    public static RetryHint? FromHeaders(HttpResponseHeaders headers, DateTimeOffset now)
    {
        RetryHint? hint = null;
        if (headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(
                // Stryker disable once Linq : TryGetValues answers true only for a header with at least one value, so First() cannot throw here
                values.FirstOrDefault(),
                NumberStyles.Float,
                CultureInfo.InvariantCulture,
                out var milliseconds)
            && milliseconds >= 0 && !double.IsNaN(milliseconds))
        {
            hint = new RetryHint(Clamp(TimeSpan.FromMilliseconds(Math.Min(milliseconds, OptionsDefaults.LongestHint.TotalMilliseconds))), WaitReason.RetryAfterHeader);
        }

        var retryAfter = headers.RetryAfter;
        TimeSpan? fromHeader = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - now : null);
        if (fromHeader is { } delay)
        {
            hint = Longest(hint, new RetryHint(Clamp(delay), WaitReason.RetryAfterHeader));
        }

        return hint;
    }

    /// <summary>The longer of two hints: waiting less than the server asked only earns another refusal.</summary>
    public static RetryHint? Longest(RetryHint? first, RetryHint? second)
        => first is null ? second : second is null ? first : first.Value.Delay >= second.Value.Delay ? first : second;

    private static TimeSpan Clamp(TimeSpan delay)
        => TimeSpan.FromTicks(Math.Clamp(delay.Ticks, 0, OptionsDefaults.LongestHint.Ticks));
}
