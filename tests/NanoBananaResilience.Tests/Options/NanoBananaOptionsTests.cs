using Microsoft.Extensions.Configuration;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Options;

public class NanoBananaOptionsTests
{
    [Fact]
    public void ToString_WithApiKey_RedactsIt()
    {
        var text = Harness.ValidOptions().ToString();

        Assert.DoesNotContain(Harness.ApiKey, text, StringComparison.Ordinal);
        Assert.Contains("ApiKey = <redacted>", text, StringComparison.Ordinal);
        Assert.Contains("https://gateway.test/api/v1/", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_WithoutApiKey_SaysNotSet()
    {
        Assert.Contains("ApiKey = <not set>", new NanoBananaOptions().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_DefaultChain_ShowsModelsAttemptsAndPeakWindow()
    {
        var text = new NanoBananaOptions().ToString();

        Assert.Contains("gemini-3.1-flash-image-preview×3, gemini-3-pro-image-preview×2", text, StringComparison.Ordinal);
        Assert.Contains("PeakHours = [10:00:00, 14:00:00) UTC", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_MatchTheDocumentedValues()
    {
        var options = new NanoBananaOptions();

        Assert.Empty(options.Models);
        Assert.Equal([(NanoBananaModels.NanoBanana2, 3), (NanoBananaModels.NanoBananaPro, 2)], options.GetEffectiveModels().Select(m => (m.Id, m.MaxAttempts)));
        Assert.True(options.PeakHours.Enabled);
        Assert.Equal(TimeSpan.FromHours(10), options.PeakHours.Start);
        Assert.Equal(TimeSpan.FromHours(14), options.PeakHours.End);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Retry.MaxDelay);
        Assert.True(options.Retry.UseJitter);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Retry.MaxRetryAfter);
        Assert.Equal(TimeSpan.FromMinutes(2), options.AttemptTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), options.TotalTimeout);
        Assert.Equal(ImageConfigPlacement.ImageConfig, options.ImageConfigPlacement);
        Assert.Equal(64L * 1024 * 1024, options.MaxImageBytes);
        Assert.False(options.AllowInsecureHttp);
    }

    [Fact]
    public void Protocol_Default_IsOpenAICompatible()
    {
        var options = new NanoBananaOptions();

        Assert.Equal(GatewayProtocol.OpenAICompatible, options.Protocol);
        Assert.StartsWith("NanoBananaOptions { Protocol = OpenAICompatible, ", options.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GoogleNative")]
    [InlineData("googlenative")]
    public void Protocol_FromConfiguration_BindsByName(string value)
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["NanoBanana:Protocol"] = value })
            .Build()
            .GetSection(NanoBananaOptions.SectionName);

        Assert.Equal(GatewayProtocol.GoogleNative, section.Get<NanoBananaOptions>()!.Protocol);
    }

    [Fact]
    public void GetEffectiveModels_ConfiguredModels_ReplaceTheDefaultChain()
    {
        var options = new NanoBananaOptions();
        options.Models.Add(new ModelOptions { Id = "google/gemini-3-pro-image-preview", MaxAttempts = 4 });

        var model = Assert.Single(options.GetEffectiveModels());

        Assert.Equal("google/gemini-3-pro-image-preview", model.Id);
        Assert.Equal("google/gemini-3-pro-image-preview (max 4 attempts)", model.ToString());
    }
}
