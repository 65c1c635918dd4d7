using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Options;

/// <summary>The validator's rules for <c>Models:N:Prices</c> and <c>Budget</c>: each message names the key and the value.</summary>
public class PriceAndBudgetValidationTests
{
    private static string OnlyError(Action<NanoBananaOptions> configure)
    {
        var result = new NanoBananaOptionsValidator().Validate(null, Harness.ValidOptions(configure));

        Assert.True(result.Failed);
        return Assert.Single(result.Failures!);
    }

    private static Action<NanoBananaOptions> WithPrice(string size, decimal price) => o =>
    {
        var model = new ModelOptions { Id = Harness.Nb2 };
        model.Prices[size] = price;
        o.Models.Add(model);
    };

    [Fact]
    public void Validate_PricesAndBudgetSet_Succeeds()
    {
        var options = Harness.ValidOptions(WithPrice("0.5K", 0.02m));
        options.Models[0].Prices["4K"] = 0.2m;
        options.Budget.MaxUsdPerCall = 0.25m;
        options.Budget.MaxUsdPerPeriod = 10m;

        Assert.Empty(NanoBananaOptionsValidator.Collect(options));
    }

    [Fact]
    public void Validate_PriceForAnUnknownSize_NamesTheKey()
    {
        Assert.Equal("NanoBanana:Models:0:Prices:8K is not an image size; use 0.5K, 1K, 2K or 4K.", OnlyError(WithPrice("8K", 0.3m)));
    }

    [Fact]
    public void Validate_NegativePrice_NamesTheKeyAndValue()
    {
        Assert.Equal("NanoBanana:Models:0:Prices:2K must not be negative; got -0.1.", OnlyError(WithPrice("2K", -0.1m)));
    }

    [Fact]
    public void Validate_SameSizeTwice_NamesBothSpellings()
    {
        var message = OnlyError(o =>
        {
            WithPrice("1K", 0.05m)(o);
            o.Models[0].Prices["1024"] = 0.06m;
        });

        Assert.Equal("NanoBanana:Models:0:Prices:1024 prices 1K a second time.", message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Validate_NonPositivePerCallLimit_NamesTheKeyAndValue(int value)
    {
        Assert.Equal($"NanoBanana:Budget:MaxUsdPerCall must be positive when set; got {value}.", OnlyError(o => o.Budget.MaxUsdPerCall = value));
    }

    [Fact]
    public void Validate_NonPositivePeriodLimit_NamesTheKeyAndValue()
    {
        Assert.Equal("NanoBanana:Budget:MaxUsdPerPeriod must be positive when set; got -1.5.", OnlyError(o => o.Budget.MaxUsdPerPeriod = -1.5m));
    }

    [Fact]
    public void Validate_ZeroPeriod_NamesTheKeyAndValue()
    {
        Assert.Equal("NanoBanana:Budget:Period must be greater than 00:00:00 and at most 3650.00:00:00; got 00:00:00.", OnlyError(o => o.Budget.Period = TimeSpan.Zero));
    }

    [Fact]
    public void Validate_PeriodBeyondTheCalendar_NamesTheBound()
    {
        // TimeSpan.MaxValue, meant as "forever", made the window's start (now − Period) unrepresentable: after the first
        // booked call every call threw ArgumentOutOfRangeException from the ledger.
        Assert.Equal(
            $"NanoBanana:Budget:Period must be greater than 00:00:00 and at most 3650.00:00:00; got {TimeSpan.MaxValue}.",
            OnlyError(o => o.Budget.Period = TimeSpan.MaxValue));
    }
}
