using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Tests.Hostile;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Download;

/// <summary>
/// The guarded download. With the real address rule, a loopback address is refused before any connection (the
/// server counts none). The transport rules — https only, no credentials, no cookies, no redirects, the size cap,
/// the timeout — are shown against an https Kestrel server on 127.0.0.1 with a throw-away certificate, through the
/// downloader's test constructor that lets loopback stand in for a public host.
/// </summary>
public sealed class ImageDownloaderTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string[]> _seen = new(); // header names of each request
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly FakeTimeProvider _time = new(Harness.OffPeak);
    private X509Certificate2 _certificate = null!;
    private WebApplication _app = null!;
    private int _port;

    public async ValueTask InitializeAsync()
    {
        _certificate = TestCertificates.SelfSigned();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = _certificate })));
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            _seen.Enqueue([.. context.Request.Headers.Keys]);
            _hits.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
            await next(context);
        });
        _app.MapGet("/image.jpg", () => Results.Bytes(TestImages.TinyJpeg, "image/jpeg"));
        _app.MapGet("/large", async context =>
        {
            var block = new byte[64 * 1024];
            for (var i = 0; i < 64 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(block, context.RequestAborted);
            }
        });
        _app.MapGet("/redirect", context =>
        {
            context.Response.Redirect($"https://127.0.0.1:{_port}/image.jpg");
            return Task.CompletedTask;
        });
        _app.MapGet("/cut", async context =>
        {
            context.Response.ContentLength = 100_000;
            await context.Response.Body.WriteAsync(TestImages.TinyJpeg.AsMemory(0, 10), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);

            // Returning short of the declared length makes Kestrel close the connection: the body ends early.
        });
        _app.MapGet("/stall", async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _port = new Uri(_app.Urls.Single()).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private Uri Url(string path) => new($"https://127.0.0.1:{_port}{path}");

    /// <summary>Loopback allowed and this test's certificate trusted: everything else is the production path.</summary>
    private ImageDownloader LoopbackDownloader(long maxBytes = 1024 * 1024)
        => new(
            new ImageDownloadOptions { Enabled = true, MaxBytes = maxBytes, Timeout = TimeSpan.FromSeconds(30) },
            _time,
            _ => true,
            TestCertificates.Trust(_certificate));

    private static async Task<string> RefusedAsync(ImageDownloader downloader, Uri url)
    {
        var error = await Assert.ThrowsAsync<ImageDownloadRefusedException>(() => downloader.DownloadAsync(url, TestContext.Current.CancellationToken).WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken));
        return error.Message;
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::1]")]
    public async Task DownloadAsync_LoopbackAddressWithTheRealRule_RefusedWithoutAnyConnection(string host)
    {
        using var downloader = new ImageDownloader(new ImageDownloadOptions { Enabled = true }, _time);

        var message = await RefusedAsync(downloader, new Uri($"https://{host}:{_port}/image.jpg"));

        Assert.Contains("not public", message, StringComparison.Ordinal);
        Assert.Empty(_seen);
    }

    [Fact]
    public async Task DownloadAsync_HttpAddress_RefusedBeforeAnything()
    {
        using var downloader = LoopbackDownloader();

        var message = await RefusedAsync(downloader, new Uri($"http://127.0.0.1:{_port}/image.jpg"));

        Assert.Contains("only https", message, StringComparison.Ordinal);
        Assert.Empty(_seen);
    }

    [Fact]
    public async Task DownloadAsync_PublicHttpsImage_ReturnsTheBytesWithoutCredentialsOrCookies()
    {
        using var downloader = LoopbackDownloader();

        var bytes = await downloader.DownloadAsync(Url("/image.jpg"), TestContext.Current.CancellationToken);

        Assert.Equal(TestImages.TinyJpeg, bytes);
        var headers = Assert.Single(_seen);
        Assert.DoesNotContain("Authorization", headers, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("Cookie", headers, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Host", headers, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DownloadAsync_Redirect_IsNotFollowed()
    {
        using var downloader = LoopbackDownloader();

        var message = await RefusedAsync(downloader, Url("/redirect"));

        Assert.Contains("HTTP 302", message, StringComparison.Ordinal);
        Assert.False(_hits.ContainsKey("/image.jpg"));
    }

    [Fact]
    public async Task DownloadAsync_BodyPastMaxBytes_RefusedWhileStreaming()
    {
        using var downloader = LoopbackDownloader(maxBytes: 256 * 1024);

        var message = await RefusedAsync(downloader, Url("/large"));

        Assert.Contains("larger than ImageDownload:MaxBytes", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_BodyCutShort_RefusedNotAnIOException()
    {
        using var downloader = LoopbackDownloader();

        var message = await RefusedAsync(downloader, Url("/cut"));

        Assert.Contains("the download failed", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_ServerStalls_TimeoutOnTheClock()
    {
        using var downloader = LoopbackDownloader();

        var download = downloader.DownloadAsync(Url("/stall"), TestContext.Current.CancellationToken);
        await HostileClient.WaitUntilAsync(() => _hits.ContainsKey("/stall"), "the request reached the server");
        _time.Advance(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<ImageDownloadRefusedException>(() => download.WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken));
        Assert.Contains("did not arrive within ImageDownload:Timeout", error.Message, StringComparison.Ordinal);
    }
}
