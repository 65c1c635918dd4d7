namespace NanoBananaResilience;

/// <summary>
/// What an error envelope said, whichever gateway wrote it: Google's <c>{error:{code,message,status,details}}</c>
/// (bare or in an array), OpenAI's <c>{error:{message,type,param,code}}</c>, OpenRouter's
/// <c>{error:{code,message,metadata:{raw,provider_name}}}</c>, and Google JSON embedded in a message text.
/// </summary>
internal sealed class ProviderError
{
    /// <summary>The numeric code, from <c>code</c> (number or numeric string).</summary>
    public int? Code { get; set; }

    /// <summary>A textual code such as <c>invalid_api_key</c>.</summary>
    public string? CodeText { get; set; }

    public string? Message { get; set; }

    /// <summary>Google's status word, for example <c>UNAVAILABLE</c>.</summary>
    public string? Status { get; set; }

    /// <summary>OpenAI's error type, for example <c>invalid_request_error</c>.</summary>
    public string? Type { get; set; }

    /// <summary><c>google.rpc.ErrorInfo.reason</c> values, for example <c>API_KEY_INVALID</c>.</summary>
    public List<string> Reasons { get; } = [];

    /// <summary><c>google.rpc.QuotaFailure</c> quota ids.</summary>
    public List<string> QuotaIds { get; } = [];

    /// <summary><c>google.rpc.RetryInfo.retryDelay</c>, or "retry in Ns" in the message.</summary>
    public TimeSpan? RetryDelay { get; set; }

    /// <summary>The upstream provider a gateway names.</summary>
    public string? ProviderName { get; set; }

    /// <summary>All the human text found (message, raw upstream message, nested messages), for matching words like "overloaded".</summary>
    public string AllText { get; set; } = string.Empty;
}
