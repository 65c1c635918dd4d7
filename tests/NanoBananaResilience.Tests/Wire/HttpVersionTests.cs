using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Wire;

/// <summary>
/// Requests go out with the <see cref="HttpClient"/>'s <c>DefaultRequestVersion</c> and <c>DefaultVersionPolicy</c>:
/// over TLS to a Kestrel gateway on 127.0.0.1 that offers HTTP/1.1 and HTTP/2 (ALPN), with a certificate made in the
/// test, the server counts which protocol each request used and how many connections carried them.
/// </summary>
public sealed class HttpVersionTests : IAsyncLifetime
{
    private const int Calls = 256;
    private const int Concurrency = 64;

    private readonly byte[] _image = Encoding.UTF8.GetBytes(Replies.ImageBody(TestImages.TinyJpegBase64, "image/jpeg"));
    private X509Certificate2 _certificate = null!;
    private LoopbackGateway _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _certificate = TestCertificates.SelfSigned();
        _gateway = await LoopbackGateway.StartAsync((context, _) => LoopbackGateway.WriteAsync(context, 200, _image), _certificate, HttpProtocols.Http1AndHttp2);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task GenerateAsync_HttpClientDefaultsToHttp2_EveryRequestIsHttp2OnOneConnection()
    {
        // The documented recipe: the registered client, its handler trusting this test's certificate, HTTP/2 asked for.
        await using var provider = Provider(http =>
        {
            http.DefaultRequestVersion = HttpVersion.Version20;
            http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        });

        await RunAsync(provider.GetRequiredService<INanoBananaClient>());

        Assert.Equal(Calls, _gateway.Total);
        Assert.Equal(Calls, Assert.Single(_gateway.Protocols, p => p.Key == "HTTP/2").Value);
        Assert.Single(_gateway.Protocols);
        Assert.Equal(1, _gateway.Connections);
    }

    [Fact]
    public async Task GenerateAsync_HttpClientDefaults_StaysOnHttp11WithAConnectionPerConcurrentCall()
    {
        await using var provider = Provider(_ => { });

        await RunAsync(provider.GetRequiredService<INanoBananaClient>());

        Assert.Equal(Calls, Assert.Single(_gateway.Protocols, p => p.Key == "HTTP/1.1").Value);
        Assert.Single(_gateway.Protocols);
        // Many connections, not one: about one per concurrent call, a few more where a loaded machine lets a pooled
        // connection close before the next call could take it (66 for 64 seen).
        Assert.InRange(_gateway.Connections, Concurrency / 2, Calls);
    }

    [Fact]
    public async Task GenerateAsync_Http2ExactToAnHttp11OnlyServer_FailsAsAConnectionFailureNotAFallback()
    {
        await using var http1Only = await LoopbackGateway.StartAsync((context, _) => LoopbackGateway.WriteAsync(context, 200, _image), _certificate, HttpProtocols.Http1);
        await using var provider = Provider(
            http =>
            {
                http.DefaultRequestVersion = HttpVersion.Version20;
                http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
            },
            http1Only.BaseAddress);

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => provider.GetRequiredService<INanoBananaClient>().GenerateAsync("a cat", TestContext.Current.CancellationToken));

        Assert.Equal(AttemptOutcome.ServerError, error.Outcome);
        Assert.Equal(0, http1Only.Total);
    }

    private ServiceProvider Provider(Action<HttpClient> configureHttp, Uri? baseAddress = null)
    {
        var services = new ServiceCollection();
        services.AddNanoBananaClient(o =>
        {
            o.BaseAddress = baseAddress ?? _gateway.BaseAddress;
            o.ApiKey = Harness.ApiKey;
            o.PeakHours.Enabled = false;
            o.CircuitBreaker.Enabled = false;
            o.Models.Add(new ModelOptions { Id = Harness.Nb2, MaxAttempts = 1 });
        })
        .ConfigureHttpClient(configureHttp)
        .ConfigurePrimaryHttpMessageHandler((handler, _) => ((SocketsHttpHandler)handler).SslOptions.RemoteCertificateValidationCallback = TestCertificates.Trust(_certificate));
        return services.BuildServiceProvider();
    }

    private async Task RunAsync(INanoBananaClient client)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(
            async () =>
            {
                while (Interlocked.Increment(ref next) < Calls)
                {
                    var result = await client.GenerateAsync("a cat", TestContext.Current.CancellationToken);
                    Assert.Equal(Harness.Nb2, result.Model);
                }
            },
            TestContext.Current.CancellationToken)));
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Calls} calls at {Concurrency}: {string.Join(", ", _gateway.Protocols.Select(p => $"{p.Key} {p.Value}"))} on {_gateway.Connections} connection(s)"));
    }
}
