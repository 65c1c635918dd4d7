using System.Net.Http.Headers;

namespace NanoBananaResilience;

/// <summary><c>POST {BaseAddress}chat/completions</c>, the key as a bearer token, the model in the body.</summary>
internal sealed class OpenAICompatibleTransport(GatewayOptions gateway) : IGatewayTransport
{
    private readonly Uri _endpoint = new(GatewayTransport.Directory(gateway.BaseAddress!), "chat/completions");
    private readonly AuthenticationHeaderValue _authorization = new("Bearer", gateway.ApiKey);

    public HttpRequestMessage CreateRequest(string model, NanoBananaRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new PooledJsonContent(ChatRequestWriter.Write(model, request, gateway.ImageConfigPlacement)),
        };
        message.Headers.Authorization = _authorization; // never changed once built, so one instance serves every request
        return message;
    }
}
