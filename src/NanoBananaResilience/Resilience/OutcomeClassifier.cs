using System.Globalization;

namespace NanoBananaResilience;

/// <summary>
/// Applies the classification table to what the reader found. It sees parsed fields only, never raw JSON:
/// status, error envelope, finish reasons, images, hints.
/// </summary>
internal static class OutcomeClassifier
{
    // The word lists are built once per test host by the static initialiser, under whichever mutant is active then:
    // the mutation tests' runner cannot measure their mutants, and one active at that moment corrupts the lists for
    // every later mutant in the host (docs/mutation-testing.md, "What is left"). So they are not mutated; an ignore
    // covers one declaration only, hence one each.
    // Stryker disable once String : a word list of the static initialiser, not measurable (see above)
    private static readonly string[] OverloadWords = ["high demand", "overloaded", "UNAVAILABLE", "temporarily unavailable", "capacity"];
    // Stryker disable once String : a word list of the static initialiser, not measurable (see above)
    private static readonly string[] SafetyWords = ["IMAGE_SAFETY", "PROHIBITED_CONTENT", "content_policy_violation", "content_filter", "SAFETY", "BLOCKLIST", "IMAGE_PROHIBITED_CONTENT"];
    // Stryker disable once String : a word list of the static initialiser, not measurable (see above)
    private static readonly string[] SafetyFinishReasons = ["content_filter", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "SAFETY", "IMAGE_PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_RECITATION"];
    // Stryker disable once String : a word list of the static initialiser, not measurable (see above)
    private static readonly string[] AuthWords = ["API_KEY_INVALID", "invalid_api_key", "API key not valid", "API_KEY_SERVICE_BLOCKED", "PERMISSION_DENIED", "UNAUTHENTICATED"];

    public static Classification Classify(int status, ParsedBody body, RetryHint? headerHint, TimeSpan maxRetryAfter)
    {
        var error = body.Error;
        var hint = RetryHint.Longest(headerHint, error?.RetryDelay is { } delay ? new RetryHint(delay, WaitReason.RetryInfo) : null);
        if (status is >= 200 and < 300 && error is null)
        {
            return ClassifySuccessStatus(status, body, hint);
        }

        // An error inside a 200 body is judged by the code it carries.
        var effective = status is >= 200 and < 300 ? error?.Code ?? StatusFromWord(error?.Status) ?? 500 : status;
        var providerStatus = error?.Status ?? error?.CodeText ?? error?.Type;
        // Stryker disable once String : without an error there is no text; any other text naming none of the words is the same
        var text = error?.AllText ?? string.Empty;
        var reasons = error?.Reasons ?? [];
        var message = Describe(effective, status, error, body);

        if (ContainsAny(text, SafetyWords) && effective is 400 or 200 or 403 or 422 || reasons.Any(r => ContainsAny(r, SafetyWords)))
        {
            return new(AttemptOutcome.ContentBlocked, providerStatus ?? "SAFETY", null, QuotaKind.Unknown, message);
        }

        if (effective is 401 or 403 || reasons.Any(r => ContainsAny(r, AuthWords)) || (effective == 400 && ContainsAny(text, AuthWords)))
        {
            return new(AttemptOutcome.Unauthorized, providerStatus, null, QuotaKind.Unknown, message);
        }

        switch (effective)
        {
            case 402:
                return new(AttemptOutcome.PaymentRequired, providerStatus, null, QuotaKind.Unknown, message);
            case 429:
                var quota = QuotaOf(error);
                var tooLong = hint is { } h && h.Delay > maxRetryAfter;
                return new(quota == QuotaKind.PerDay || tooLong ? AttemptOutcome.QuotaExhausted : AttemptOutcome.RateLimited, providerStatus ?? "RESOURCE_EXHAUSTED", hint, quota, message);
            case 404:
                return new(AttemptOutcome.ModelNotFound, providerStatus, null, QuotaKind.Unknown, message);
            case 408:
                return new(AttemptOutcome.Timeout, providerStatus, hint, QuotaKind.Unknown, message);
            case 503 or 529:
                return new(AttemptOutcome.Overloaded, providerStatus ?? "UNAVAILABLE", hint, QuotaKind.Unknown, message);
            case >= 500:
                var overloaded = ContainsAny(text, OverloadWords);
                return new(overloaded ? AttemptOutcome.Overloaded : AttemptOutcome.ServerError, providerStatus, hint, QuotaKind.Unknown, message);
            case >= 300 and < 400:
                return new(AttemptOutcome.BadRequest, providerStatus, null, QuotaKind.Unknown, $"HTTP {status}: redirects are not followed (the API key must not travel to another address); fix NanoBanana:BaseAddress.");
            default:
                return new(AttemptOutcome.BadRequest, providerStatus, null, QuotaKind.Unknown, message);
        }
    }

    private static Classification ClassifySuccessStatus(int status, ParsedBody body, RetryHint? hint)
    {
        if (!body.IsJson)
        {
            var what = body.IsHtml ? "an HTML page" : "not valid JSON (cut short, or another format)";
            return new(AttemptOutcome.ProtocolError, null, hint, QuotaKind.Unknown, $"HTTP {status} but the body is {what}.");
        }

        if (body.BlockReason is { } block)
        {
            return new(AttemptOutcome.ContentBlocked, block, null, QuotaKind.Unknown, $"The prompt was blocked ({block}).");
        }

        if (body.FinishReason is { } finish && SafetyFinishReasons.Any(r => r.Equals(finish, StringComparison.OrdinalIgnoreCase)))
        {
            return new(AttemptOutcome.ContentBlocked, finish, null, QuotaKind.Unknown, $"The image was blocked by a safety filter (finish reason {finish}).{TextSuffix(body)}");
        }

        if (body.Images.Count > 0)
        {
            return new(AttemptOutcome.Success, body.FinishReason, null, QuotaKind.Unknown, "image received");
        }

        if (body.InvalidImage is { } invalid)
        {
            return new(AttemptOutcome.ProtocolError, body.FinishReason, null, QuotaKind.Unknown, $"HTTP {status} but {invalid}.");
        }

        return new(AttemptOutcome.NoImage, body.FinishReason ?? "NO_IMAGE", null, QuotaKind.Unknown, $"HTTP {status} without an image (finish reason {body.FinishReason ?? "none"}).{TextSuffix(body)}{LikelyCause(body)}");
    }

    /// <summary>What the body shows about why no image came back, and what to change; empty when it shows nothing.</summary>
    private static string LikelyCause(ParsedBody body)
    {
        // Portkey names its answers "portkey-…". With strict OpenAI compliance on, its default, it drops every
        // non-text part, content_blocks included: the model may well have drawn the image that never arrived.
        if (body.ResponseId?.StartsWith("portkey-", StringComparison.Ordinal) == true && !body.HasContentBlocks)
        {
            return " The answer came through Portkey with strict OpenAI compliance on (its default), which drops every image part:"
                + " send the header 'x-portkey-strict-open-ai-compliance: false' (README, Gateways).";
        }

        return string.Empty;
    }

    private static QuotaKind QuotaOf(ProviderError? error)
    {
        if (error is null)
        {
            return QuotaKind.Unknown;
        }

        if (error.QuotaIds.Any(id => id.Contains("PerDay", StringComparison.OrdinalIgnoreCase) || id.Contains("Daily", StringComparison.OrdinalIgnoreCase))
            || error.AllText.Contains("per day", StringComparison.OrdinalIgnoreCase))
        {
            return QuotaKind.PerDay;
        }

        return error.QuotaIds.Any(id => id.Contains("PerMinute", StringComparison.OrdinalIgnoreCase)) ? QuotaKind.PerMinute : QuotaKind.Unknown;
    }

    private static int? StatusFromWord(string? word) => word switch
    {
        "UNAVAILABLE" => 503,
        "RESOURCE_EXHAUSTED" => 429,
        "INVALID_ARGUMENT" or "FAILED_PRECONDITION" => 400,
        "UNAUTHENTICATED" => 401,
        "PERMISSION_DENIED" => 403,
        "NOT_FOUND" => 404,
        "DEADLINE_EXCEEDED" => 504,
        // Stryker disable once String : a word without an arm maps to 500 as well (the caller's ?? 500), so emptying this one changes nothing
        "INTERNAL" => 500,
        _ => null,
    };

    private static string Describe(int effective, int status, ProviderError? error, ParsedBody body)
    {
        var code = effective == status
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {status}")
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {status} carrying error {effective}");
        // An HTML page is not JSON, so it carries no error envelope: its message is that it is one.
        var message = body.IsHtml ? "an HTML error page" : error?.Message;
        return message is null ? code : $"{code}: {Shorten(message)}";
    }

    private static string TextSuffix(ParsedBody body) => body.Text is null ? string.Empty : $" The model said: \"{Shorten(body.Text)}\"";

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static bool ContainsAny(string text, string[] words)
        => words.Any(word => text.Contains(word, StringComparison.OrdinalIgnoreCase));
}
