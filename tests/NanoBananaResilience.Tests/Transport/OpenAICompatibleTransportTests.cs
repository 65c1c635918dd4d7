using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Transport;

public class OpenAICompatibleTransportTests
{
    [Fact]
    public async Task CreateRequest_IsTheChatCompletionsPostWithTheBearerKeyAndTheChatBody()
    {
        var options = Harness.ValidOptions(o => o.BaseAddress = new Uri("https://gateway.test/api/v1"));
        var request = new NanoBananaRequest("a cat") { Size = ImageSize.TwoK };

        using var message = new OpenAICompatibleTransport(options.GetEffectiveGateways()[0]).CreateRequest("google/gemini-3-pro-image-preview", request);
        using var expected = ChatRequestWriter.Write("google/gemini-3-pro-image-preview", request, ImageConfigPlacement.ImageConfig);

        Assert.Equal(HttpMethod.Post, message.Method);
        Assert.Equal("https://gateway.test/api/v1/chat/completions", message.RequestUri!.AbsoluteUri);
        Assert.Equal(("Bearer", Harness.ApiKey), (message.Headers.Authorization!.Scheme, message.Headers.Authorization.Parameter));
        Assert.False(message.Headers.Contains("x-goog-api-key"));
        Assert.Equal(expected.WrittenSpan.ToArray(), await message.Content!.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }
}
