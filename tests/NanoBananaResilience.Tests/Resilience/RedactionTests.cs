using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>A key echoed where an excerpt or a detail is cut must not leave its start behind.</summary>
public class RedactionTests
{
    private const string Prefix = "{\"error\":{\"code\":401,\"message\":\"";

    [Theory]
    [InlineData(200 - 12, "the detail's 200-character cut")]
    [InlineData(512 - 12 - 32, "the body excerpt's 512-character cut")]
    public async Task GenerateAsync_KeyEchoedAcrossACut_NoPartOfTheKeyIsShown(int keyAt, string where)
    {
        using var h = Harness.Create();
        var message = new string('x', keyAt - "Bearer ".Length) + "Bearer " + Harness.ApiKey + " is not valid";
        h.Handler.On(Harness.Nb2, Replies.Json(401, Prefix + message + "\"}}"));

        var error = await h.FailAsync();

        Assert.Equal(AttemptOutcome.Unauthorized, error.Outcome);
        var start = Harness.ApiKey[..8];
        var shown = string.Join("\n", [error.Message, error.BodyExcerpt, error.ToString(), .. error.Attempts.Select(a => a.Detail)]);
        Assert.True(!shown.Contains(start, StringComparison.Ordinal), $"the start of the key shows at {where}: {shown}");
        Assert.Contains(Redaction.Marker, shown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x", "quota exceeded for key x", "quota exceeded for key [redacted]")]
    [InlineData("x", "x", "[redacted]")]
    [InlineData("abc", "Bearer abc: abcd is not abc.", "Bearer [redacted]: abcd is not [redacted].")]
    [InlineData("sk-longer-key", "key sk-longer-keyZ", "key [redacted]Z")] // a real-length key is hidden wherever it appears
    public void Redact_ShortPlaceholderKey_OnlyWhereItStandsAlone(string key, string text, string shown)
        => Assert.Equal(shown, Redaction.Redact(text, key));

    [Fact]
    public async Task GenerateAsync_KeyEchoedJsonEscaped_IsNotInTheBodyExcerpt()
    {
        // A key with characters that JSON writers escape ('/' by PHP, '+' by .NET, '&' by Go): the excerpt is raw JSON.
        const string Key = "sk-or/v1+abc&def-0123456789";
        using var h = Harness.Create(o => o.ApiKey = Key);
        h.Handler.On(Harness.Nb2, Replies.Json(401, """{"error":{"code":401,"message":"Bearer sk-or\/v1\u002Babc\u0026def-0123456789 is not valid"}}"""));

        var error = await h.FailAsync();

        Assert.Equal(AttemptOutcome.Unauthorized, error.Outcome);
        Assert.DoesNotContain("0123456789", error.BodyExcerpt, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789", error.Message, StringComparison.Ordinal);
        Assert.Contains(Redaction.Marker, error.BodyExcerpt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""key sk-test-0123456789\/secret!""", "sk-test-0123456789/secret", "key [redacted]!")]
    [InlineData("""key sk-test-0123456789\u002fsecret!""", "sk-test-0123456789/secret", "key [redacted]!")]
    [InlineData("""key sk-test\u002B0123456789\u002bsecret""", "sk-test+0123456789+secret", "key [redacted]")]
    [InlineData("""a \/ b \u002B c""", "sk-test+0123456789+secret", """a \/ b \u002B c""")]
    public void Redact_KeyJsonEscaped_IsReplaced(string text, string key, string expected)
    {
        Assert.Equal(expected, Redaction.Redact(text, key));
    }

    [Theory]
    [InlineData("cut here: sk-test-0123…", "cut here: [redacted]…")]
    [InlineData("cut here: sk-test-0123", "cut here: [redacted]")]
    [InlineData("Bearer sk-test-0123456789-secret and cut: sk-te…", "Bearer [redacted] and cut: [redacted]…")]
    [InlineData("ends with sk-…", "ends with sk-…")] // three characters say nothing about the key
    [InlineData("nothing to hide…", "nothing to hide…")]
    public void Redact_TextCutInsideTheKey_DropsTheKeysStart(string text, string expected)
    {
        Assert.Equal(expected, Redaction.Redact(text, Harness.ApiKey));
    }
}
