using System.Globalization;
using Microsoft.Extensions.Options;

namespace NanoBananaResilience;

/// <summary>
/// Checks every rule a user could trip on, naming the configuration key and the bad value, so a wrong setting
/// fails at start-up instead of at the first call. Never echoes the API key.
/// </summary>
internal sealed class NanoBananaOptionsValidator : IValidateOptions<NanoBananaOptions>
{
    private const string Section = NanoBananaOptions.SectionName;

    /// <summary>The longest delay a <see cref="CancellationTokenSource"/> can schedule, with room to spare.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    /// <summary>The longest rest or window: times are computed as now ± this, which must stay on the calendar.</summary>
    private static readonly TimeSpan LongestSpan = TimeSpan.FromDays(3650);

    public ValidateOptionsResult Validate(string? name, NanoBananaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Collect(options);
        if (!string.IsNullOrEmpty(name) && errors.Count > 0)
        {
            // A named client's keys live under its own section: name the key the user has to change.
            var section = NanoBananaOptions.SectionFor(name) + ":";
            errors = [.. errors.Select(e => e.Replace(Section + ":", section, StringComparison.Ordinal))];
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Returns every problem found; empty when the options are valid.</summary>
    internal static List<string> Collect(NanoBananaOptions options)
    {
        var errors = new List<string>();
        ValidateEndpoint(options, errors);
        ValidateModels(options, errors);
        ValidateTimeouts(options, errors);
        ValidateRetry(options.Retry, errors);
        ValidateBreaker(options.CircuitBreaker, errors);
        ValidatePeakHours(options.PeakHours, errors);
        ValidateBudget(options.Budget, errors);
        if (options.ImageDownload.MaxBytes < 1024)
        {
            errors.Add($"{Section}:ImageDownload:MaxBytes must be at least 1024; got {Format(options.ImageDownload.MaxBytes)}.");
        }

        Positive(options.ImageDownload.Timeout, "ImageDownload:Timeout", errors);
        if (options.ImageDownload.Timeout > LongestTimer)
        {
            errors.Add($"{Section}:ImageDownload:Timeout must be at most {LongestTimer}; got {options.ImageDownload.Timeout}.");
        }

        if (options.MaxImageBytes < 1024)
        {
            errors.Add($"{Section}:MaxImageBytes must be at least 1024; got {Format(options.MaxImageBytes)}.");
        }
        else if (options.MaxImageBytes > Array.MaxLength)
        {
            // The decoded images are held in one array; larger caps also overflow the reader's length arithmetic.
            errors.Add($"{Section}:MaxImageBytes must be at most {Array.MaxLength} (the largest array); got {Format(options.MaxImageBytes)}.");
        }

        return errors;
    }

    private static void ValidateEndpoint(NanoBananaOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add($"{Section}:ApiKey is required (set it in configuration, user secrets or the environment variable NanoBanana__ApiKey).");
        }
        else if (options.ApiKey.Any(char.IsWhiteSpace) || options.ApiKey.Any(char.IsControl))
        {
            // The value itself is a secret: say what is wrong without printing it.
            errors.Add($"{Section}:ApiKey contains white space or control characters (a pasted line break?).");
        }

        var baseAddress = options.BaseAddress;
        if (baseAddress is null)
        {
            errors.Add($"{Section}:BaseAddress is required, for example 'https://openrouter.ai/api/v1/'.");
            return;
        }

        if (!baseAddress.IsAbsoluteUri)
        {
            errors.Add($"{Section}:BaseAddress must be an absolute URI; got '{baseAddress.OriginalString}'.");
            return;
        }

        if (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp)
        {
            errors.Add($"{Section}:BaseAddress must use https; got scheme '{baseAddress.Scheme}' in '{Redact(baseAddress)}'.");
        }
        else if (baseAddress.Scheme == Uri.UriSchemeHttp && !baseAddress.IsLoopback && !options.AllowInsecureHttp)
        {
            errors.Add($"{Section}:BaseAddress '{Redact(baseAddress)}' uses http to a non-loopback host, which would send the API key in clear text; use https, or set {Section}:AllowInsecureHttp to true.");
        }

        if (!string.IsNullOrEmpty(baseAddress.UserInfo))
        {
            errors.Add($"{Section}:BaseAddress must not carry credentials in its user-info part; put the key in {Section}:ApiKey.");
        }

        if (!string.IsNullOrEmpty(baseAddress.Query) || !string.IsNullOrEmpty(baseAddress.Fragment))
        {
            errors.Add($"{Section}:BaseAddress must not have a query or fragment; got '{Redact(baseAddress)}'.");
        }
    }

    private static void ValidateModels(NanoBananaOptions options, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var key = $"{Section}:Models:{i}";
            if (model is null)
            {
                errors.Add($"{key} is null.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(model.Id))
            {
                errors.Add($"{key}:Id is required; got '{model.Id}'.");
            }
            else if (model.Id.Trim() != model.Id || model.Id.Any(char.IsControl))
            {
                errors.Add($"{key}:Id must not have surrounding white space or control characters; got '{model.Id}'.");
            }
            else if (!seen.Add(model.Id))
            {
                errors.Add($"{key}:Id '{model.Id}' appears more than once in {Section}:Models.");
            }

            if (model.MaxAttempts is < 1 or > 20)
            {
                errors.Add($"{key}:MaxAttempts must be between 1 and 20; got {Format(model.MaxAttempts)}.");
            }

            if (model.PricePerImageUsd is < 0)
            {
                errors.Add($"{key}:PricePerImageUsd must not be negative; got {Format(model.PricePerImageUsd.Value)}.");
            }

            ValidatePrices(model, key, errors);
        }
    }

    private static void ValidatePrices(ModelOptions model, string key, List<string> errors)
    {
        var sizes = new HashSet<ImageSize>();
        foreach (var (size, price) in model.Prices)
        {
            if (!ImageSize.TryParse(size, out var parsed))
            {
                errors.Add($"{key}:Prices:{size} is not an image size; use 0.5K, 1K, 2K or 4K.");
            }
            else if (!sizes.Add(parsed))
            {
                errors.Add($"{key}:Prices:{size} prices {parsed} a second time.");
            }

            if (price < 0)
            {
                errors.Add($"{key}:Prices:{size} must not be negative; got {Format(price)}.");
            }
        }
    }

    private static void ValidateBudget(BudgetOptions budget, List<string> errors)
    {
        if (budget.MaxUsdPerCall is <= 0)
        {
            errors.Add($"{Section}:Budget:MaxUsdPerCall must be positive when set; got {Format(budget.MaxUsdPerCall.Value)}.");
        }

        if (budget.MaxUsdPerPeriod is <= 0)
        {
            errors.Add($"{Section}:Budget:MaxUsdPerPeriod must be positive when set; got {Format(budget.MaxUsdPerPeriod.Value)}.");
        }

        Positive(budget.Period, "Budget:Period", errors);

        AtMostLongestSpan(budget.Period, "Budget:Period", errors); // the window starts at now − Period
    }

    private static void ValidateTimeouts(NanoBananaOptions options, List<string> errors)
    {
        Positive(options.AttemptTimeout, "AttemptTimeout", errors);
        if (options.AttemptTimeout > TimeSpan.Zero)
        {
            InPipelineRange(options.AttemptTimeout, TimeSpan.FromMilliseconds(10), "AttemptTimeout", errors);
        }

        Positive(options.TotalTimeout, "TotalTimeout", errors);
        if (options.AttemptTimeout > options.TotalTimeout)
        {
            errors.Add($"{Section}:AttemptTimeout ({options.AttemptTimeout}) must not exceed {Section}:TotalTimeout ({options.TotalTimeout}).");
        }

        if (options.TotalTimeout > LongestTimer)
        {
            errors.Add($"{Section}:TotalTimeout must be at most {LongestTimer}; got {options.TotalTimeout}.");
        }
    }

    private static void ValidateRetry(RetryOptions retry, List<string> errors)
    {
        NonNegative(retry.BaseDelay, "Retry:BaseDelay", errors);
        NonNegative(retry.MaxDelay, "Retry:MaxDelay", errors);
        NonNegative(retry.MaxRetryAfter, "Retry:MaxRetryAfter", errors);
        if (retry.BaseDelay > retry.MaxDelay)
        {
            errors.Add($"{Section}:Retry:BaseDelay ({retry.BaseDelay}) must not exceed {Section}:Retry:MaxDelay ({retry.MaxDelay}).");
        }
    }

    private static void ValidateBreaker(CircuitBreakerOptions breaker, List<string> errors)
    {
        if (breaker.FailureRatio is <= 0 or > 1 || double.IsNaN(breaker.FailureRatio))
        {
            errors.Add($"{Section}:CircuitBreaker:FailureRatio must be greater than 0 and at most 1; got {Format(breaker.FailureRatio)}.");
        }

        if (breaker.MinimumThroughput < 2)
        {
            errors.Add($"{Section}:CircuitBreaker:MinimumThroughput must be at least 2; got {Format(breaker.MinimumThroughput)}.");
        }

        if (breaker.SamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"{Section}:CircuitBreaker:SamplingDuration must be at least 00:00:00.5; got {breaker.SamplingDuration}.");
        }
        else
        {
            InPipelineRange(breaker.SamplingDuration, TimeSpan.FromMilliseconds(500), "CircuitBreaker:SamplingDuration", errors);
        }

        if (breaker.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"{Section}:CircuitBreaker:BreakDuration must be at least 00:00:00.5; got {breaker.BreakDuration}.");
        }
        else
        {
            InPipelineRange(breaker.BreakDuration, TimeSpan.FromMilliseconds(500), "CircuitBreaker:BreakDuration", errors);
        }

        if (breaker.MaxBreakDuration < breaker.BreakDuration)
        {
            errors.Add($"{Section}:CircuitBreaker:MaxBreakDuration ({breaker.MaxBreakDuration}) must not be shorter than {Section}:CircuitBreaker:BreakDuration ({breaker.BreakDuration}).");
        }

        AtMostLongestSpan(breaker.MaxBreakDuration, "CircuitBreaker:MaxBreakDuration", errors); // a daily quota without a hint rests this long
        NonNegative(breaker.RateLimitCooldown, "CircuitBreaker:RateLimitCooldown", errors);
        AtMostLongestSpan(breaker.RateLimitCooldown, "CircuitBreaker:RateLimitCooldown", errors);
        if (breaker.ProbeInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Section}:CircuitBreaker:ProbeInterval must be at least 00:00:01; got {breaker.ProbeInterval}.");
        }

        AtMostLongestSpan(breaker.ProbeInterval, "CircuitBreaker:ProbeInterval", errors); // a trip sets the first slot at now + ProbeInterval

    }

    private static void ValidatePeakHours(PeakHoursOptions peak, List<string> errors)
    {
        InDay(peak.Start, "PeakHours:Start", errors);
        InDay(peak.End, "PeakHours:End", errors);
        if (peak.Enabled && peak.Start == peak.End)
        {
            errors.Add($"{Section}:PeakHours:Start and {Section}:PeakHours:End are both {peak.Start}: the window would be empty; disable it with {Section}:PeakHours:Enabled = false instead.");
        }
    }

    private static void InDay(TimeSpan value, string key, List<string> errors)
    {
        if (value < TimeSpan.Zero || value >= TimeSpan.FromDays(1))
        {
            errors.Add($"{Section}:{key} must be a time of day from 00:00 to 23:59:59; got {value}.");
        }
    }

    /// <summary>
    /// Polly refuses these durations outside [<paramref name="shortest"/>, 1 day] when it builds the pipeline, which
    /// under DI happens at the first call: checked here so the setting fails at start-up, naming its key.
    /// </summary>
    private static void InPipelineRange(TimeSpan value, TimeSpan shortest, string key, List<string> errors)
    {
        var longest = TimeSpan.FromDays(1);
        if (value < shortest || value > longest)
        {
            errors.Add($"{Section}:{key} must be between {shortest} and {longest}; got {value}.");
        }
    }

    private static void AtMostLongestSpan(TimeSpan value, string key, List<string> errors)
    {
        if (value > LongestSpan)
        {
            errors.Add($"{Section}:{key} must be at most {LongestSpan}; got {value}.");
        }
    }

    private static void Positive(TimeSpan value, string key, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:{key} must be positive; got {value}.");
        }
    }

    private static void NonNegative(TimeSpan value, string key, List<string> errors)
    {
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{Section}:{key} must not be negative; got {value}.");
        }
    }

    private static string Format(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Redact(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
}
