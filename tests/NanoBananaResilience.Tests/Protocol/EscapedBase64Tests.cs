using System.Text;

namespace NanoBananaResilience.Tests.Protocol;

/// <summary>The bulk unescaping of <c>\/</c> inside base64: every block layout gives the same text as a plain replace.</summary>
public sealed class EscapedBase64Tests
{
    [Theory]
    [InlineData(0)] // no escape at all
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(31)] // a backslash in the last place of a block, its slash in the next
    [InlineData(32)]
    [InlineData(64)]
    public void Unescape_SlashesEveryNCharacters_MatchesAPlainReplace(int every)
    {
        var plain = Base64Text(4096, every);
        var escaped = Encoding.ASCII.GetBytes(plain.Replace("/", "\\/", StringComparison.Ordinal));
        var destination = new byte[plain.Length];

        EscapedBase64.Unescape(escaped, destination, out var consumed, out var written);

        Assert.Equal(escaped.Length, consumed);
        Assert.Equal(plain, Encoding.ASCII.GetString(destination, 0, written));
    }

    [Fact]
    public void Unescape_SmallDestination_StopsWhenFullAndResumes()
    {
        var plain = Base64Text(1000, 5);
        var escaped = Encoding.ASCII.GetBytes(plain.Replace("/", "\\/", StringComparison.Ordinal));
        var result = new StringBuilder();
        var destination = new byte[70];
        var offset = 0;
        while (offset < escaped.Length)
        {
            EscapedBase64.Unescape(escaped.AsSpan(offset), destination, out var consumed, out var written);
            Assert.True(consumed > 0);
            offset += consumed;
            result.Append(Encoding.ASCII.GetString(destination, 0, written));
        }

        Assert.Equal(plain, result.ToString());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    public void Unescape_OtherEscapeOrCutEscape_StopsBeforeTheBackslash(int position)
    {
        var text = new string('A', 200).ToCharArray();
        text[position] = '\\';
        text[position + 1] = 'n';
        var escaped = Encoding.ASCII.GetBytes(text);

        EscapedBase64.Unescape(escaped, new byte[256], out var consumed, out var written);
        Assert.Equal(position, consumed);
        Assert.Equal(position, written);

        // A backslash at the very end of a piece: its slash may come with the next read.
        EscapedBase64.Unescape(escaped.AsSpan(0, position + 1), new byte[256], out consumed, out _);
        Assert.Equal(position, consumed);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(7, false)]
    [InlineData(33, true)]
    [InlineData(4096, false)]
    public void Scanner_EscapedBase64InAnyPieces_DecodesTheImage(int pieceSize, bool declaresLength)
    {
        var image = new byte[50_000];
        new Random(7).NextBytes(image);
        var base64 = Convert.ToBase64String(image).Replace("/", "\\/", StringComparison.Ordinal);
        var body = Encoding.ASCII.GetBytes("{\"data\":[{\"b64_json\":\"" + base64 + "\"}]}");

        using var scanner = new ResponseScanner(OptionsDefaults.MaxImageBytes, declaresLength ? body.Length : null);
        for (var offset = 0; offset < body.Length; offset += pieceSize)
        {
            scanner.Feed(body.AsSpan(offset, Math.Min(pieceSize, body.Length - offset)));
        }

        scanner.Complete();
        Assert.False(scanner.Images[0].Invalid);
        Assert.True(scanner.Images[0].Data.Span.SequenceEqual(image));
    }

    /// <summary>Base64-alphabet text with a slash every <paramref name="every"/> characters (none when 0).</summary>
    private static string Base64Text(int length, int every)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+";
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(every > 0 && i % every == every - 1 ? '/' : Alphabet[i % Alphabet.Length]);
        }

        return text.ToString();
    }
}
