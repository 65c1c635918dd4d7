namespace NanoBananaResilience;

/// <summary>
/// How one attempt reaches the endpoint: its address, its credentials and its body, for one model. What to retry
/// and where to fall back is not its business, and the answer is read the same way whichever transport sent it.
/// </summary>
internal interface IGatewayTransport
{
    /// <summary>A new request for one attempt: a request message cannot be sent twice, and the model changes between attempts.</summary>
    HttpRequestMessage CreateRequest(string model, NanoBananaRequest request);
}
