using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Options;

public class NanoBananaOptionsValidatorTests
{
    private static string OnlyError(Action<NanoBananaOptions> configure)
    {
        var options = Harness.ValidOptions(configure);
        var result = new NanoBananaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var message = Assert.Single(result.Failures!);
        Assert.DoesNotContain(Harness.ApiKey, message, StringComparison.Ordinal);
        return message;
    }

    [Fact]
    public void Validate_ValidOptions_Succeeds()
    {
        var result = new NanoBananaOptionsValidator().Validate(null, Harness.ValidOptions());

        Assert.True(result.Succeeded);
        Assert.Empty(NanoBananaOptionsValidator.Collect(Harness.ValidOptions()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_MissingApiKey_NamesTheKeyAndTheEnvironmentVariable(string? key)
    {
        var message = OnlyError(o => o.ApiKey = key);

        Assert.Contains("NanoBanana:ApiKey is required", message, StringComparison.Ordinal);
        Assert.Contains("NanoBanana__ApiKey", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ApiKeyWithLineBreak_SaysSoWithoutPrintingTheKey()
    {
        const string secret = "sk-secret-with-newline\n";

        var message = OnlyError(o => o.ApiKey = secret);

        Assert.Contains("NanoBanana:ApiKey contains white space", message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingBaseAddress_NamesTheKey()
    {
        Assert.Contains("NanoBanana:BaseAddress is required", OnlyError(o => o.BaseAddress = null), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RelativeBaseAddress_NamesTheKeyAndTheValue()
    {
        var message = OnlyError(o => o.BaseAddress = new Uri("api/v1/", UriKind.Relative));

        Assert.Contains("NanoBanana:BaseAddress must be an absolute URI", message, StringComparison.Ordinal);
        Assert.Contains("'api/v1/'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpToNonLoopbackHost_NamesTheAddressAndTheEscapeHatch()
    {
        var message = OnlyError(o => o.BaseAddress = new Uri("http://gateway.example.com/v1/"));

        Assert.Contains("NanoBanana:BaseAddress 'http://gateway.example.com/v1/'", message, StringComparison.Ordinal);
        Assert.Contains("NanoBanana:AllowInsecureHttp", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/v1/")]
    [InlineData("http://localhost:5000/")]
    [InlineData("http://[::1]:5000/")]
    public void Validate_HttpToLoopback_IsAllowed(string address)
    {
        Assert.Empty(NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o => o.BaseAddress = new Uri(address))));
    }

    [Fact]
    public void Validate_HttpWithAllowInsecureHttp_IsAllowed()
    {
        var options = Harness.ValidOptions(o =>
        {
            o.BaseAddress = new Uri("http://litellm.internal:4000/");
            o.AllowInsecureHttp = true;
        });

        Assert.Empty(NanoBananaOptionsValidator.Collect(options));
    }

    [Fact]
    public void Validate_OtherScheme_NamesTheScheme()
    {
        Assert.Contains("scheme 'ftp'", OnlyError(o => o.BaseAddress = new Uri("ftp://gateway.test/")), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CredentialsInBaseAddress_AreRejectedWithoutBeingEchoed()
    {
        var message = OnlyError(o => o.BaseAddress = new Uri("https://user:hunter2@gateway.test/v1/"));

        Assert.Contains("must not carry credentials", message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_QueryInBaseAddress_NamesIt()
    {
        Assert.Contains("must not have a query or fragment", OnlyError(o => o.BaseAddress = new Uri("https://gateway.test/v1/?key=x")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_EmptyModelId_NamesTheIndex(string id)
    {
        var message = OnlyError(o => o.Models.Add(new ModelOptions { Id = id }));

        Assert.Contains("NanoBanana:Models:0:Id is required", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ModelIdWithSurroundingSpace_ShowsTheValue()
    {
        var message = OnlyError(o => o.Models.Add(new ModelOptions { Id = " gemini " }));

        Assert.Contains("NanoBanana:Models:0:Id must not have surrounding white space", message, StringComparison.Ordinal);
        Assert.Contains("' gemini '", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateModelIds_NamesTheSecondAndTheId()
    {
        var message = OnlyError(o =>
        {
            o.Models.Add(new ModelOptions { Id = "gemini-3-pro-image-preview" });
            o.Models.Add(new ModelOptions { Id = "Gemini-3-Pro-Image-Preview" });
        });

        Assert.Contains("NanoBanana:Models:1:Id 'Gemini-3-Pro-Image-Preview' appears more than once", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(21)]
    public void Validate_MaxAttemptsOutOfRange_NamesTheKeyAndTheValue(int attempts)
    {
        var message = OnlyError(o => o.Models.Add(new ModelOptions { Id = "m", MaxAttempts = attempts }));

        Assert.Contains("NanoBanana:Models:0:MaxAttempts must be between 1 and 20", message, StringComparison.Ordinal);
        Assert.Contains($"got {attempts}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativePrice_NamesTheValue()
    {
        var message = OnlyError(o => o.Models.Add(new ModelOptions { Id = "m", PricePerImageUsd = -0.5m }));

        Assert.Contains("NanoBanana:Models:0:PricePerImageUsd must not be negative; got -0.5", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AttemptTimeoutLongerThanTotal_NamesBothValues()
    {
        var message = OnlyError(o =>
        {
            o.AttemptTimeout = TimeSpan.FromMinutes(6);
            o.TotalTimeout = TimeSpan.FromMinutes(5);
        });

        Assert.Contains("NanoBanana:AttemptTimeout (00:06:00) must not exceed NanoBanana:TotalTimeout (00:05:00)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NonPositiveAttemptTimeout_NamesTheValue()
    {
        Assert.Contains("NanoBanana:AttemptTimeout must be between 00:00:00.0100000 and 1.00:00:00; got 00:00:00.", OnlyError(o => o.AttemptTimeout = TimeSpan.Zero), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TotalTimeoutTooLong_NamesTheBound()
    {
        var errors = NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o => o.TotalTimeout = TimeSpan.FromDays(30)));

        Assert.Contains(errors, e => e.StartsWith("NanoBanana:TotalTimeout must be greater than 00:00:00 and at most 24.20:31:23.6460000; got", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AttemptTimeout", 5.0)]
    [InlineData("AttemptTimeout", 2 * 86_400_000.0)]
    [InlineData("CircuitBreaker:SamplingDuration", 2 * 86_400_000.0)]
    [InlineData("CircuitBreaker:BreakDuration", 2 * 86_400_000.0)]
    public void Validate_DurationOutsideWhatThePipelineAccepts_NamesTheKey(string key, double milliseconds)
    {
        // Polly checks these ranges only when the pipeline is built, which DI does at the first call, not at start-up.
        var value = TimeSpan.FromMilliseconds(milliseconds);
        var options = Harness.ValidOptions(o =>
        {
            o.TotalTimeout = TimeSpan.FromDays(3);
            o.CircuitBreaker.MaxBreakDuration = TimeSpan.FromDays(3);
            _ = key switch
            {
                "AttemptTimeout" => o.AttemptTimeout = value,
                "CircuitBreaker:SamplingDuration" => o.CircuitBreaker.SamplingDuration = value,
                _ => o.CircuitBreaker.BreakDuration = value,
            };
        });

        var message = Assert.Single(NanoBananaOptionsValidator.Collect(options));

        Assert.StartsWith($"NanoBanana:{key} must be between", message, StringComparison.Ordinal);
        Assert.Contains($"got {value}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DurationsAtTheLongestThePipelineAccepts_BuildTheEngine()
    {
        var options = Harness.ValidOptions(o =>
        {
            o.AttemptTimeout = TimeSpan.FromDays(1);
            o.TotalTimeout = TimeSpan.FromDays(1);
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromDays(1);
            o.CircuitBreaker.BreakDuration = TimeSpan.FromDays(1);
            o.CircuitBreaker.MaxBreakDuration = TimeSpan.FromDays(1);
        });

        Assert.Empty(NanoBananaOptionsValidator.Collect(options));
        using var engine = new NanoBananaEngine(options);
        Assert.Equal(2, engine.Chain.Count);
    }

    [Fact]
    public void Validate_ImageDownloadTimeoutTooLong_NamesTheBound()
    {
        // The download's timer cannot be scheduled this far: the call would fail after its image was generated and billed.
        var errors = NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o =>
        {
            o.ImageDownload.Enabled = true;
            o.ImageDownload.Timeout = TimeSpan.FromDays(60);
        }));

        var message = Assert.Single(errors);
        Assert.StartsWith("NanoBanana:ImageDownload:Timeout must be greater than 00:00:00 and at most 24.20:31:23.6460000", message, StringComparison.Ordinal);
        Assert.Contains("got 60.00:00:00", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CooldownsBeyondTheCalendar_NameTheirKeys()
    {
        // A 429 without a hint rests the model until now + RateLimitCooldown (or MaxBreakDuration for a daily quota):
        // TimeSpan.MaxValue, meant as "until restarted", made that time unrepresentable and the call threw.
        var errors = NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o =>
        {
            o.CircuitBreaker.RateLimitCooldown = TimeSpan.MaxValue;
            o.CircuitBreaker.MaxBreakDuration = TimeSpan.MaxValue;
        }));

        Assert.Equal(
            [
                $"NanoBanana:CircuitBreaker:MaxBreakDuration must be at most 3650.00:00:00; got {TimeSpan.MaxValue}.",
                $"NanoBanana:CircuitBreaker:RateLimitCooldown must be between 00:00:00 and 3650.00:00:00; got {TimeSpan.MaxValue}.",
            ],
            errors);
    }

    [Fact]
    public void Validate_ProbeIntervalBeyondTheCalendar_NamesTheKey()
    {
        // The first probe slot is now + ProbeInterval, computed when a breaker opens: TimeSpan.MaxValue, meant as
        // "never probe", threw from the breaker's callback on the first trip.
        Assert.Equal(
            $"NanoBanana:CircuitBreaker:ProbeInterval must be between 00:00:01 and 3650.00:00:00; got {TimeSpan.MaxValue}.",
            OnlyError(o => o.CircuitBreaker.ProbeInterval = TimeSpan.MaxValue));
    }

    [Fact]
    public void Validate_NegativeRetryDelay_NamesTheKey()
    {
        var errors = NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o => o.Retry.MaxRetryAfter = TimeSpan.FromSeconds(-1)));

        Assert.Equal(["NanoBanana:Retry:MaxRetryAfter must not be negative; got -00:00:01."], errors);
    }

    [Fact]
    public void Validate_BaseDelayAboveMaxDelay_NamesBoth()
    {
        var message = OnlyError(o => o.Retry.BaseDelay = TimeSpan.FromMinutes(1));

        Assert.Contains("NanoBanana:Retry:BaseDelay (00:01:00) must not exceed NanoBanana:Retry:MaxDelay (00:00:30)", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Validate_FailureRatioOutOfRange_NamesTheValue(double ratio)
    {
        var message = OnlyError(o => o.CircuitBreaker.FailureRatio = ratio);

        Assert.Contains("NanoBanana:CircuitBreaker:FailureRatio must be greater than 0 and at most 1", message, StringComparison.Ordinal);
        Assert.Contains($"got {ratio.ToString(System.Globalization.CultureInfo.InvariantCulture)}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BreakerThroughputAndDurations_NameTheirKeys()
    {
        var errors = NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o =>
        {
            o.CircuitBreaker.MinimumThroughput = 1;
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromMilliseconds(100);
            o.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(100);
            o.CircuitBreaker.RateLimitCooldown = TimeSpan.FromSeconds(-5);
            o.CircuitBreaker.ProbeInterval = TimeSpan.FromMilliseconds(200);
        }));

        Assert.Contains(errors, e => e.Contains("NanoBanana:CircuitBreaker:MinimumThroughput must be at least 2; got 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("NanoBanana:CircuitBreaker:SamplingDuration must be between 00:00:00.5000000 and 1.00:00:00; got", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("NanoBanana:CircuitBreaker:BreakDuration must be between 00:00:00.5000000 and 1.00:00:00; got", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("NanoBanana:CircuitBreaker:RateLimitCooldown must be between 00:00:00 and 3650.00:00:00; got -", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("NanoBanana:CircuitBreaker:ProbeInterval must be between 00:00:01 and 3650.00:00:00; got 00:00:00.2000000", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PeakStartEqualsEnd_SaysHowToDisableInstead()
    {
        var message = OnlyError(o => o.PeakHours.End = o.PeakHours.Start);

        Assert.Contains("NanoBanana:PeakHours:Start and NanoBanana:PeakHours:End are both 10:00:00", message, StringComparison.Ordinal);
        Assert.Contains("NanoBanana:PeakHours:Enabled = false", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PeakStartEqualsEndButDisabled_IsAllowed()
    {
        var options = Harness.ValidOptions(o =>
        {
            o.PeakHours.Enabled = false;
            o.PeakHours.End = o.PeakHours.Start;
        });

        Assert.Empty(NanoBananaOptionsValidator.Collect(options));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(24)]
    public void Validate_PeakTimeOutsideTheDay_NamesTheKeyAndValue(int hours)
    {
        var message = OnlyError(o => o.PeakHours.Start = TimeSpan.FromHours(hours));

        Assert.Contains("NanoBanana:PeakHours:Start must be between 00:00:00 and 23:59:59.9999999", message, StringComparison.Ordinal);
        Assert.Contains($"got {TimeSpan.FromHours(hours)}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TinyMaxImageBytes_NamesTheValue()
    {
        Assert.Contains($"NanoBanana:MaxImageBytes must be between 1024 and {Array.MaxLength}; got 10.", OnlyError(o => o.MaxImageBytes = 10), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MaxImageBytesBeyondAnArray_NamesTheBound()
    {
        // long.MaxValue, meant as "no cap", overflowed the reader's length check: every image answer was "too large".
        var message = OnlyError(o => o.MaxImageBytes = long.MaxValue);

        Assert.StartsWith($"NanoBanana:MaxImageBytes must be between 1024 and {Array.MaxLength}", message, StringComparison.Ordinal);
        Assert.Contains($"got {long.MaxValue}", message, StringComparison.Ordinal);
        Assert.Empty(NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o => o.MaxImageBytes = Array.MaxLength)));
    }

    [Fact]
    public void Validate_UndefinedProtocol_NamesTheKeyAndTheChoices()
    {
        var message = OnlyError(o => o.Protocol = (GatewayProtocol)7);

        Assert.Equal("NanoBanana:Protocol must be OpenAICompatible or GoogleNative; got 7.", message);
    }

    [Theory]
    [InlineData("gemini-3-pro-image-preview")]
    [InlineData("models/gemini-3-pro-image-preview")]
    [InlineData("google/gemini-3-pro-image-preview")]
    public void Validate_GoogleNativeWithAGoogleId_Succeeds(string id)
    {
        var options = Harness.ValidOptions(o =>
        {
            o.Protocol = GatewayProtocol.GoogleNative;
            o.Models.Add(new ModelOptions { Id = id });
        });

        Assert.Empty(NanoBananaOptionsValidator.Collect(options));
    }

    [Fact]
    public void Validate_GoogleNativeWithAnotherGatewaysId_NamesTheEntryAndTheBareForm()
    {
        var message = OnlyError(o =>
        {
            o.Protocol = GatewayProtocol.GoogleNative;
            o.Models.Add(new ModelOptions { Id = NanoBananaModels.NanoBanana2 });
            o.Models.Add(new ModelOptions { Id = "openai/gpt-image-1" });
        });

        Assert.Equal("NanoBanana:Models:1:Id 'openai/gpt-image-1' is not a Google model id; with NanoBanana:Protocol GoogleNative use a bare id such as 'gemini-3-pro-image-preview'.", message);
        Assert.Empty(NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o => o.Models.Add(new ModelOptions { Id = "openai/gpt-image-1" }))));
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        var options = new NanoBananaOptions { AttemptTimeout = TimeSpan.Zero };

        var errors = NanoBananaOptionsValidator.Collect(options);

        Assert.Equal(3, errors.Count); // ApiKey, BaseAddress, AttemptTimeout
    }
}
