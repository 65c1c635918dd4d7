namespace NanoBananaResilience.Tests;

public class AspectRatioTests
{
    [Theory]
    [InlineData("16:9", 16, 9)]
    [InlineData(" 1:1 ", 1, 1)]
    [InlineData("21:9", 21, 9)]
    [InlineData("100:1", 100, 1)]
    public void Parse_WellFormed_ReadsBothParts(string text, int width, int height)
    {
        var ratio = AspectRatio.Parse(text);

        Assert.Equal(width, ratio.Width);
        Assert.Equal(height, ratio.Height);
        Assert.Equal($"{width}:{height}", ratio.ToString());
    }

    [Theory]
    [InlineData("16x9")]
    [InlineData("16:")]
    [InlineData(":9")]
    [InlineData("0:1")]
    [InlineData("101:1")]
    [InlineData("-1:2")]
    [InlineData("1.5:1")]
    [InlineData("")]
    public void Parse_Malformed_ThrowsNamingTheValue(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => AspectRatio.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.False(AspectRatio.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 101)]
    public void Constructor_PartOutOfRange_Throws(int width, int height)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AspectRatio(width, height));
    }

    [Fact]
    public void Equality_SameParts_IsEqual()
    {
        Assert.Equal(new AspectRatio(4, 3), AspectRatio.Parse("4:3"));
        Assert.True(new AspectRatio(4, 3) != new AspectRatio(3, 4));
    }
}
