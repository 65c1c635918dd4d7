using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NanoBananaResilience.Gateways.Tests;

/// <summary>
/// Keeps what the endpoint sent back to the library, one line per response, base64 runs shortened, and writes each to
/// the test's output: the record of what the gateway under test emitted.
/// </summary>
internal sealed partial class ExchangeRecorder
{
    private readonly ConcurrentQueue<string> _bodies = new();

    public IReadOnlyList<string> Bodies => [.. _bodies];

    /// <summary>A handler for <c>AddHttpMessageHandler</c>; a new one per client, all writing here.</summary>
    public DelegatingHandler CreateHandler() => new Recording(this);

    private void Add(HttpResponseMessage response, string body)
    {
        _bodies.Enqueue(body);
        var shown = Base64Run().Replace(body, m => string.Create(CultureInfo.InvariantCulture, $"<{m.Length} base64 characters>"));
        TestContext.Current.TestOutputHelper?.WriteLine($"← HTTP {(int)response.StatusCode} {shown}");
    }

    [GeneratedRegex("[A-Za-z0-9+/]{120,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Run();

    private sealed class Recording(ExchangeRecorder recorder) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

            // Buffered so that the library still reads the whole body after us; the bodies here are small.
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            recorder.Add(response, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return response;
        }
    }
}
