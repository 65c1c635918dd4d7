namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>Several scripted gateways behind one HttpClient: each request goes to the handler of its host.</summary>
internal sealed class HostRouter(IReadOnlyDictionary<string, ScriptedHandler> gateways) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var host = request.RequestUri!.Host;
        var gateway = gateways.TryGetValue(host, out var handler) ? handler : throw new InvalidOperationException($"No gateway at '{host}'.");
        return new HttpMessageInvoker(gateway, disposeHandler: false).SendAsync(request, cancellationToken);
    }
}
