using System.Net;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>
/// Sits between the client and the real socket handler and wraps every response's content, so a test can prove
/// that each <see cref="HttpResponseMessage"/> the library received was disposed — whatever path the call took.
/// </summary>
internal sealed class DisposalCountingHandler : DelegatingHandler
{
    /// <summary>For <c>AddHttpMessageHandler</c>, which sets the inner handler itself.</summary>
    public DisposalCountingHandler()
    {
    }

    public DisposalCountingHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    private int _received;
    private int _disposed;
    private int _sending;

    public int Received => Volatile.Read(ref _received);

    /// <summary>Requests sent whose response headers have not arrived yet.</summary>
    public int Sending => Volatile.Read(ref _sending);

    /// <summary>Nothing on the wire: no request waiting for headers, no response left undisposed.</summary>
    public bool IsIdle => Sending == 0 && Received == Disposed;

    public int Disposed => Volatile.Read(ref _disposed);

    /// <summary>Every response's content was disposed (the library disposes the response, which disposes its content).</summary>
    public void AssertEveryResponseDisposed()
        => Assert.True(Received == Disposed, $"{Received} responses received, {Disposed} disposed");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        Interlocked.Increment(ref _sending);
        try
        {
            response = await base.SendAsync(request, cancellationToken);
            Interlocked.Increment(ref _received);
        }
        finally
        {
            Interlocked.Decrement(ref _sending);
        }

        response.Content = new TrackedContent(response.Content, () => Interlocked.Increment(ref _disposed));
        return response;
    }

    /// <summary>Passes the inner content through unchanged and reports its disposal once.</summary>
    private sealed class TrackedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly Action _onDispose;
        private int _disposedOnce;

        public TrackedContent(HttpContent inner, Action onDispose)
        {
            _inner = inner;
            _onDispose = onDispose;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => _inner.ReadAsStreamAsync(cancellationToken);

        protected override Task<Stream> CreateContentReadStreamAsync() => _inner.ReadAsStreamAsync();

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
            => _inner.CopyToAsync(stream, cancellationToken);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposedOnce, 1) == 0)
            {
                _inner.Dispose();
                _onDispose();
            }

            base.Dispose(disposing);
        }
    }
}
