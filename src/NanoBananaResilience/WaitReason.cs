namespace NanoBananaResilience;

/// <summary>Why the client waited after an attempt.</summary>
public enum WaitReason
{
    /// <summary>No wait.</summary>
    None,

    /// <summary>Exponential backoff (with jitter when enabled).</summary>
    Backoff,

    /// <summary>The server's <c>Retry-After</c> or <c>retry-after-ms</c> header.</summary>
    RetryAfterHeader,

    /// <summary>The server's <c>google.rpc.RetryInfo.retryDelay</c> (or the same hint in the message text).</summary>
    RetryInfo,

    /// <summary>Every model was resting; the client waited for the first to reopen.</summary>
    BreakerReopen,
}
