using System.Net.Http.Headers;

namespace NanoBananaResilience.Tests.Resilience;

public class RetryHintTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 3, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseHeaders Headers(Action<HttpResponseHeaders> set)
    {
        var response = new HttpResponseMessage();
        set(response.Headers);
        return response.Headers;
    }

    [Fact]
    public void FromHeaders_RetryAfterSeconds_IsTheDelta()
    {
        var hint = RetryHint.FromHeaders(Headers(h => h.TryAddWithoutValidation("Retry-After", "17")), Now);

        Assert.Equal(new RetryHint(TimeSpan.FromSeconds(17), WaitReason.RetryAfterHeader), hint);
    }

    [Fact]
    public void FromHeaders_RetryAfterHttpDate_IsTheTimeUntilThatDate()
    {
        var hint = RetryHint.FromHeaders(Headers(h => h.TryAddWithoutValidation("Retry-After", "Mon, 03 Mar 2025 12:00:45 GMT")), Now);

        Assert.Equal(TimeSpan.FromSeconds(45), hint!.Value.Delay);
    }

    [Fact]
    public void FromHeaders_RetryAfterDateInThePast_IsZero()
    {
        var hint = RetryHint.FromHeaders(Headers(h => h.TryAddWithoutValidation("Retry-After", "Mon, 03 Mar 2025 11:00:00 GMT")), Now);

        Assert.Equal(TimeSpan.Zero, hint!.Value.Delay);
    }

    [Fact]
    public void FromHeaders_RetryAfterMs_IsRead()
    {
        var hint = RetryHint.FromHeaders(Headers(h => h.TryAddWithoutValidation("retry-after-ms", "1500")), Now);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), hint!.Value.Delay);
    }

    [Fact]
    public void FromHeaders_BothHeaders_TakesTheLonger()
    {
        var hint = RetryHint.FromHeaders(
            Headers(h =>
            {
                h.TryAddWithoutValidation("retry-after-ms", "2500");
                h.TryAddWithoutValidation("Retry-After", "2");
            }),
            Now);

        Assert.Equal(TimeSpan.FromMilliseconds(2500), hint!.Value.Delay);
    }

    [Fact]
    public void FromHeaders_HugeRetryAfter_IsClampedToTheLongestHint()
    {
        var hint = RetryHint.FromHeaders(Headers(h => h.TryAddWithoutValidation("Retry-After", "999999999")), Now);

        Assert.Equal(OptionsDefaults.LongestHint, hint!.Value.Delay);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("soon")]
    public void FromHeaders_MissingOrGarbage_IsNull(string? value)
    {
        var hint = RetryHint.FromHeaders(Headers(h => { if (value is not null) { h.TryAddWithoutValidation("retry-after-ms", value); } }), Now);

        Assert.Null(hint);
    }

    [Fact]
    public void Longest_OneMissing_IsTheOther()
    {
        var hint = new RetryHint(TimeSpan.FromSeconds(1), WaitReason.RetryInfo);

        Assert.Equal(hint, RetryHint.Longest(null, hint));
        Assert.Equal(hint, RetryHint.Longest(hint, null));
        Assert.Null(RetryHint.Longest(null, null));
    }

    [Fact]
    public void FromHeaders_RetryAfterMsZero_IsAHintToRetryAtOnce()
    {
        var hint = RetryHint.FromHeaders(Headers(h => h.TryAddWithoutValidation("retry-after-ms", "0")), Now);

        Assert.Equal(new RetryHint(TimeSpan.Zero, WaitReason.RetryAfterHeader), hint);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    public void FromHeaders_RetryAfterMsNegativeOrNaN_IsIgnored(string value)
    {
        Assert.Null(RetryHint.FromHeaders(Headers(h => h.TryAddWithoutValidation("retry-after-ms", value)), Now));
    }

    [Fact]
    public void Longest_EqualDelays_KeepsTheFirst()
    {
        var header = new RetryHint(TimeSpan.FromSeconds(5), WaitReason.RetryAfterHeader);
        var body = new RetryHint(TimeSpan.FromSeconds(5), WaitReason.RetryInfo);

        Assert.Equal(header, RetryHint.Longest(header, body));
        Assert.Equal(body, RetryHint.Longest(body, header));
    }
}
