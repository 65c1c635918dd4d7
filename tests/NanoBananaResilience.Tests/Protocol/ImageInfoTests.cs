using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Protocol;

public class ImageInfoTests
{
    [Fact]
    public void Read_TinyPng_IsPngOneByOne()
    {
        Assert.Equal(new ImageInfo("image/png", 1, 1), ImageInfo.Read(TestImages.TinyPng));
    }

    [Fact]
    public void Read_TinyJpeg_IsJpegOneByOne()
    {
        Assert.Equal(new ImageInfo("image/jpeg", 1, 1), ImageInfo.Read(TestImages.TinyJpeg));
    }

    [Fact]
    public void Read_PngHeader_ReadsWidthAndHeightFromIhdr()
    {
        Assert.Equal(new ImageInfo("image/png", 1376, 768), ImageInfo.Read(TestImages.PngHeader(1376, 768)));
    }

    [Fact]
    public void Read_JpegHeader_ReadsWidthAndHeightFromStartOfFrameAfterOtherSegments()
    {
        Assert.Equal(new ImageInfo("image/jpeg", 1024, 576), ImageInfo.Read(TestImages.JpegHeader(1024, 576)));
    }

    [Fact]
    public void Read_JpegWithoutFrameBeforeScan_HasNoSize()
    {
        byte[] data = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 0, 0, 0, 0, 0, 0];

        Assert.Equal(new ImageInfo("image/jpeg", null, null), ImageInfo.Read(data));
    }

    [Fact]
    public void Read_PngSignatureOnly_IsPngWithoutSize()
    {
        Assert.Equal(new ImageInfo("image/png", null, null), ImageInfo.Read(TestImages.TinyPng.AsSpan(0, 8)));
    }

    [Fact]
    public void Read_WebPExtended_ReadsCanvasSize()
    {
        var data = new byte[30];
        "RIFF"u8.CopyTo(data);
        "WEBP"u8.CopyTo(data.AsSpan(8));
        "VP8X"u8.CopyTo(data.AsSpan(12));
        data[24] = 0xFF; data[25] = 0x03; // width - 1 = 1023
        data[27] = 0x3F; data[28] = 0x02; // height - 1 = 575

        Assert.Equal(new ImageInfo("image/webp", 1024, 576), ImageInfo.Read(data));
    }

    [Fact]
    public void Read_Gif_ReadsLogicalScreenSize()
    {
        byte[] data = [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 0x40, 0x01, 0xF0, 0x00];

        Assert.Equal(new ImageInfo("image/gif", 320, 240), ImageInfo.Read(data));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E })]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0, 0, 0, 0, 0, 0, 0 })]
    public void Read_NotAnImage_HasNoMediaType(byte[] data)
    {
        Assert.Null(ImageInfo.Read(data).MediaType);
    }

    [Theory]
    [InlineData("image/png", ".png")]
    [InlineData("image/jpeg", ".jpg")]
    [InlineData("image/webp", ".webp")]
    [InlineData("image/gif", ".gif")]
    [InlineData("application/octet-stream", ".bin")]
    public void ExtensionFor_MediaType_IsTheUsualExtension(string mediaType, string extension)
    {
        Assert.Equal(extension, ImageInfo.ExtensionFor(mediaType));
    }

    [Fact]
    public void DescribeStart_LongBuffer_ShowsAtMostEightBytesInHex()
    {
        Assert.Equal("89504E470D0A1A0A", ImageInfo.DescribeStart(TestImages.TinyPng));
        Assert.Equal("none", ImageInfo.DescribeStart([]));
    }
}
