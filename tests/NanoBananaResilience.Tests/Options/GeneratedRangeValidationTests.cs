using System.ComponentModel.DataAnnotations;
using System.Reflection;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Options;

/// <summary>The range rules declared on the options types and checked by the source-generated validator.</summary>
public class GeneratedRangeValidationTests
{
    public static TheoryData<Type> OptionsTypes => new()
    {
        typeof(NanoBananaOptions),
        typeof(ModelOptions),
        typeof(RetryOptions),
        typeof(CircuitBreakerOptions),
        typeof(PeakHoursOptions),
        typeof(BudgetOptions),
        typeof(ImageDownloadOptions),
    };

    [Fact]
    public void Validate_ListItemOutOfRange_NamesTheItemsKeyAndValue()
    {
        var errors = NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o =>
        {
            o.Models.Add(new ModelOptions { Id = "a" });
            o.Models.Add(new ModelOptions { Id = "b", MaxAttempts = 0 });
        }));

        Assert.Equal(["NanoBanana:Models:1:MaxAttempts must be between 1 and 20; got 0."], errors);
    }

    [Fact]
    public void Validate_NullListItem_NamesItsKeyOnce()
    {
        var errors = NanoBananaOptionsValidator.Collect(Harness.ValidOptions(o => o.Models.Add(null!)));

        Assert.Equal(["NanoBanana:Models:0 is null"], errors);
    }

    [Fact]
    public void Validate_NamedOptions_NameTheClientsSection()
    {
        var result = new NanoBananaOptionsValidator().Validate("batch", Harness.ValidOptions(o => o.CircuitBreaker.FailureRatio = 2));

        Assert.Equal(["NanoBanana:Clients:batch:CircuitBreaker:FailureRatio must be greater than 0 and at most 1; got 2."], result.Failures);
    }

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void OptionsTypes_Properties_CarryNoUncheckedRangeAttribute(Type type)
    {
        // Only ConfigRange is checked (by the generated validator); a plain [Range] would be a rule nobody enforces.
        var stray = type.GetProperties().Where(p => p.GetCustomAttributes<ValidationAttribute>().Any(a => a is not ConfigRangeAttribute)).Select(p => p.Name);

        Assert.Empty(stray);
    }

    [Theory]
    [InlineData("NanoBananaOptions.Retry.MaxDelay", "NanoBanana:Retry:MaxDelay")]
    [InlineData("NanoBananaOptions.Models[12].Id", "NanoBanana:Models:12:Id")]
    [InlineData("NanoBananaOptions.MaxImageBytes", "NanoBanana:MaxImageBytes")]
    public void ConfigurationKey_MemberPath_BecomesTheKey(string path, string key)
        => Assert.Equal(key, ConfigurationKey.FromDisplayName(path));

    [Fact]
    public void ConfigRange_NullValue_PassesAsAnUnsetOptionalSetting()
    {
        var options = Harness.ValidOptions(o => o.Budget.MaxUsdPerCall = null);

        Assert.Empty(NanoBananaOptionsValidator.Collect(options));
    }
}
