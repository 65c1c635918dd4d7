using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Routing;

/// <summary>Two gateways on real sockets: one refuses connections (a closed loopback port), the other is a Kestrel gateway.</summary>
public sealed class GatewayLoopbackTests : IAsyncLifetime
{
    private readonly byte[] _image = Encoding.UTF8.GetBytes(Replies.ImageBody());
    private LoopbackGateway _backup = null!;

    public async ValueTask InitializeAsync()
        => _backup = await LoopbackGateway.StartAsync((context, _) => LoopbackGateway.WriteAsync(context, 200, _image));

    public async ValueTask DisposeAsync() => await _backup.DisposeAsync();

    [Fact]
    public async Task GenerateAsync_OneGatewayRefusesConnections_EveryCallSucceedsThroughTheOtherAndTheDeadOneStopsAfterItsTrip()
    {
        var options = new NanoBananaOptions();
        options.Gateways.Add(new GatewayOptions { Name = "dead", BaseAddress = new Uri($"http://127.0.0.1:{ClosedPort()}/v1/"), ApiKey = "sk-dead" });
        options.Gateways.Add(new GatewayOptions { Name = "live", BaseAddress = _backup.BaseAddress, ApiKey = "sk-live" });
        var time = new FakeTimeProvider(Harness.OffPeak);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var engine = new NanoBananaEngine(options, time, random: () => 0.0);
        var client = new NanoBananaClient(http, engine);
        const int calls = 30;
        var triedDead = new List<int>();

        for (var i = 0; i < calls; i++)
        {
            // Nothing waits on the clock here: a refused connection is not retried while another gateway serves the model.
            var result = await client.GenerateAsync("a cat", TestContext.Current.CancellationToken);
            Assert.Equal("live", result.Gateway);
            triedDead.Add(result.Attempts.Count(a => a.Gateway == "dead" && a.Outcome == AttemptOutcome.ServerError));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // One refused connection per call until eight judge the gateway down; then one probe per slot (5, 10, 15 s…).
        TestContext.Current.TestOutputHelper?.WriteLine($"requests to the dead gateway per call: {string.Join(",", triedDead)}");
        Assert.All(triedDead.Take(8), n => Assert.Equal(1, n));
        Assert.InRange(triedDead.Skip(8).Sum(), 1, 4);
        Assert.Equal(calls, _backup.Total);
        Assert.Contains(engine.GetModelStatuses(), s => s.Gateway == "dead" && s.BreakerState == ModelBreakerState.Open);
    }

    /// <summary>A loopback port nobody listens on: bound, read, released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
