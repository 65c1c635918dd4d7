using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace NanoBananaResilience;

/// <summary>
/// Fetches an image a response gave as an address, under <see cref="ImageDownloadOptions"/>. It has its own
/// transport, never the endpoint's: no <c>Authorization</c>, no cookies, no proxy (a proxy would resolve the
/// name where this class cannot check it), no redirects, no decompression. The connection goes through a
/// <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host, keeps only allowed addresses and
/// connects to one of those very addresses, so a name that resolves differently a second time changes nothing.
/// </summary>
internal sealed class ImageDownloader : IDisposable
{
    private readonly ImageDownloadOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Func<IPAddress, bool> _isAllowed;
    private readonly HttpClient _http;

    public ImageDownloader(ImageDownloadOptions options, TimeProvider timeProvider)
        : this(options, timeProvider, AddressFilter.IsPublic, certificateCheck: null)
    {
    }

    /// <summary>For tests: another address rule and certificate check, so a loopback https server can stand in for the internet.</summary>
    internal ImageDownloader(ImageDownloadOptions options, TimeProvider timeProvider, Func<IPAddress, bool> isAllowed, RemoteCertificateValidationCallback? certificateCheck)
    {
        _options = options;
        _timeProvider = timeProvider;
        _isAllowed = isAllowed;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            Credentials = null,
            PreAuthenticate = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectToAllowedAddressAsync,
        };
        if (certificateCheck is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = certificateCheck;
        }

        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>Downloads the image at <paramref name="url"/>.</summary>
    /// <exception cref="ImageDownloadRefusedException">The address, the answer or its size is not acceptable.</exception>
    public async Task<byte[]> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ImageDownloadRefusedException($"only https image addresses are fetched; got scheme '{(url.IsAbsoluteUri ? url.Scheme : "relative")}'");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw new ImageDownloadRefusedException("the image address carries credentials");
        }

        using var timeout = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // 3xx included: a redirect is not followed, it could point anywhere.
                throw new ImageDownloadRefusedException($"the image address answered HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > _options.MaxBytes)
            {
                throw new ImageDownloadRefusedException($"the image declares {response.Content.Headers.ContentLength} bytes, more than ImageDownload:MaxBytes ({_options.MaxBytes})");
            }

            return await ReadCappedAsync(response.Content, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ImageDownloadRefusedException($"the image did not arrive within ImageDownload:Timeout ({_options.Timeout})");
        }
        catch (HttpRequestException e)
        {
            throw new ImageDownloadRefusedException(e.InnerException is ImageDownloadRefusedException refused ? refused.Message : $"the download failed: {e.Message}");
        }
        catch (IOException e)
        {
            // The body was cut or the connection reset after the headers.
            throw new ImageDownloadRefusedException($"the download failed: {e.Message}");
        }
    }

    private async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > _options.MaxBytes)
                    {
                        throw new ImageDownloadRefusedException($"the image is larger than ImageDownload:MaxBytes ({_options.MaxBytes})");
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return buffer.ToArray();
        }
    }

    private async ValueTask<Stream> ConnectToAllowedAddressAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(_isAllowed).ToArray();
        if (allowed.Length == 0)
        {
            throw new ImageDownloadRefusedException($"'{host}' resolves only to addresses that are not public ({string.Join(", ", addresses.Select(a => a.ToString()))}); nothing was sent");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();
}
