namespace NanoBananaResilience.Tests;

public class ImageSizeTests
{
    [Theory]
    [InlineData("0.5K", "0.5K")]
    [InlineData(".5k", "0.5K")]
    [InlineData("512", "0.5K")]
    [InlineData("1k", "1K")]
    [InlineData(" 1K ", "1K")]
    [InlineData("1024", "1K")]
    [InlineData("2k", "2K")]
    [InlineData("4K", "4K")]
    [InlineData("4096", "4K")]
    public void Parse_KnownSpellings_GiveTheUpperCaseName(string text, string wire)
    {
        Assert.Equal(wire, ImageSize.Parse(text).ToString());
        Assert.True(ImageSize.TryParse(text, out var size));
        Assert.Equal(wire, size.ToString());
    }

    [Theory]
    [InlineData("3K")]
    [InlineData("8K")]
    [InlineData("")]
    [InlineData("large")]
    public void Parse_UnknownSize_ThrowsNamingTheValueAndTheChoices(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ImageSize.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.5K, 1K, 2K, 4K", error.Message, StringComparison.Ordinal);
        Assert.False(ImageSize.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_IsFalse()
    {
        Assert.False(ImageSize.TryParse(null, out _));
    }

    [Fact]
    public void Equality_SameSize_IsEqual()
    {
        Assert.Equal(ImageSize.TwoK, ImageSize.Parse("2048"));
        Assert.True(ImageSize.FourK == ImageSize.Parse("4k"));
        Assert.True(ImageSize.OneK != ImageSize.TwoK);
        Assert.Equal(ImageSize.OneK, default); // the models' default
    }

    [Fact]
    public void PublicSurface_NoWireValue_OnlyTheName()
        => Assert.Null(typeof(ImageSize).GetProperty("WireValue", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance));
}
