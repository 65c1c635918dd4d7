using System.Text;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Protocol;

public class SseFramerTests
{
    private static string Frame(string events, IEnumerable<int> pieces)
    {
        var bytes = Encoding.UTF8.GetBytes(events);
        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, contentLength: null);
        var framer = new SseFramer(scanner);
        var position = 0;
        using var sizes = pieces.GetEnumerator();
        while (position < bytes.Length)
        {
            var size = Math.Min(sizes.MoveNext() ? sizes.Current : bytes.Length, bytes.Length - position);
            framer.Feed(bytes.AsSpan(position, size));
            position += size;
        }

        framer.Complete();
        scanner.Complete();
        return Encoding.UTF8.GetString(scanner.Skeleton.Span);
    }

    [Fact]
    public void Feed_DataLines_BecomeOneJsonArrayWithoutCommentsOrDone()
    {
        var skeleton = Frame(": keep-alive\n\ndata: {\"a\":1}\n\nevent: message\ndata: {\"b\":2}\n\ndata: [DONE]\n\n", [int.MaxValue]);

        Assert.Equal("[{\"a\":1},{\"b\":2}]", skeleton);
    }

    [Fact]
    public void Feed_CrLfLineEndingsAndNoSpaceAfterColon_AreAccepted()
    {
        var skeleton = Frame("data:{\"a\":1}\r\n\r\ndata: {\"b\":2}\r\n\r\ndata: [DONE]\r\n\r\n", [int.MaxValue]);

        Assert.Equal("[{\"a\":1},{\"b\":2}]", skeleton);
    }

    [Fact]
    public void Feed_ShortPayloadLikeDoneButNot_IsKept()
    {
        var skeleton = Frame("data: {}\n\ndata: 7\n", [int.MaxValue]);

        Assert.Equal("[{},7]", skeleton);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(3)]
    public void Feed_OneEventOnSeveralDataLines_IsOnePayloadJoinedByLineFeeds(int piece)
    {
        var skeleton = Frame("data: {\"a\":\ndata: 1}\n\ndata: {\"b\":2}\n\n", Enumerable.Repeat(piece, 1000));

        Assert.Equal("[{\"a\":\n1},{\"b\":2}]", skeleton);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public void Feed_CrOnlyLineEndings_EndLinesAndEvents(int piece)
    {
        var skeleton = Frame("event: message\rdata: {\"a\":1}\r\r: note\rdata: {\"b\":2}\r\rdata: [DONE]\r\r", Enumerable.Repeat(piece, 1000));

        Assert.Equal("[{\"a\":1},{\"b\":2}]", skeleton);
    }

    [Fact]
    public void Feed_CrLfBetweenDataLinesOfOneEvent_DoesNotEndTheEvent()
    {
        var skeleton = Frame("data: [1,\r\ndata: 2]\r\n\r\ndata: [3]\r\n\r\n", [int.MaxValue]);

        Assert.Equal("[[1,\n2],[3]]", skeleton);
    }

    [Fact]
    public void Complete_NoDataAtAll_GivesAnEmptyArray()
    {
        Assert.Equal("[]", Frame(": just a comment\n\n", [int.MaxValue]));
    }

    [Fact]
    public void Feed_FixtureOneByteAtATime_GivesTheSameSkeletonAsOneRead()
    {
        var text = WireFixtures.Text("openrouter-images-stream.sse");

        var whole = Frame(text, [int.MaxValue]);
        var bytewise = Frame(text, Bodies.OneByteAtATime());

        Assert.Equal(whole, bytewise);
        Assert.StartsWith("[{\"id\":\"gen-1767000001-abc\"", whole, StringComparison.Ordinal);
        Assert.Contains("nb-image-ref:0", whole, StringComparison.Ordinal);
        Assert.DoesNotContain("OPENROUTER PROCESSING", whole, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", whole, StringComparison.Ordinal);
    }
}
