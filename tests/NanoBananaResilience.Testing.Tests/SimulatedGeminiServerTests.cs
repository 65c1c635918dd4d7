using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NanoBananaResilience.Testing.Tests.TestSupport;

namespace NanoBananaResilience.Testing.Tests;

public sealed class SimulatedGeminiServerTests
{
    [Fact]
    public async Task StartAsync_RealHttpRequest_AnsweredOnLoopbackWithImage()
    {
        await using var server = new SimulatedGeminiServer(AlwaysHealthy());
        await server.StartAsync(TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await client.PostAsync("chat/completions", Body(), TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
        Assert.EndsWith("/v1/", server.BaseAddress.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Wire.IsJpeg(Assert.Single(Wire.Images(json.RootElement)).Bytes));
        Assert.Equal(1, server.Handler.Statistics.GetCount(SimulatedModels.NanoBanana2, SimulatedOutcome.Success));
    }

    [Fact]
    public async Task StartAsync_RequiredKey_HeaderCarriedThroughKestrel()
    {
        var options = AlwaysHealthy();
        options.RequiredApiKey = "sk-loopback";
        await using var server = new SimulatedGeminiServer(options);
        await server.StartAsync(TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var rejected = await client.PostAsync("chat/completions", Body(), TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = Body() };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-loopback");
        using var accepted = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(2, server.Handler.Statistics.TotalRequests);
    }

    [Fact]
    public async Task BaseAddress_BeforeStart_Throws()
    {
        await using var server = new SimulatedGeminiServer();

        Assert.Throws<InvalidOperationException>(() => server.BaseAddress);
    }

    [Fact]
    public async Task DisposeAsync_AfterStart_StopsListening()
    {
        var server = new SimulatedGeminiServer(AlwaysHealthy());
        await server.StartAsync(TestContext.Current.CancellationToken);
        var address = server.BaseAddress;
        await server.DisposeAsync();
        using var client = new HttpClient { BaseAddress = address };

        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("chat/completions", Body(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_TokenCancelled_StopsListeningAndReturns()
    {
        await using var server = new SimulatedGeminiServer(AlwaysHealthy());
        await server.StartAsync(TestContext.Current.CancellationToken);
        var address = server.BaseAddress;
        using var stop = new CancellationTokenSource();
        var running = server.RunAsync(stop.Token);
        using var client = new HttpClient { BaseAddress = address };
        using (var served = await client.PostAsync("chat/completions", Body(), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        await stop.CancelAsync();
        await running.WaitAsync(TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("chat/completions", Body(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StartAsync_AnyHost_LeavesCtrlCAndSigtermToTheProcess()
    {
        // The default console lifetime took both signals and waited for a host loop nobody ran: the process hung.
        await using var server = new SimulatedGeminiServer(AlwaysHealthy());
        await server.StartAsync(TestContext.Current.CancellationToken);

        var lifetime = server.Services!.GetService(typeof(Microsoft.Extensions.Hosting.IHostLifetime));

        Assert.NotNull(lifetime);
        Assert.DoesNotContain("Console", lifetime.GetType().Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Port_Given_ListensThere()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var server = new SimulatedGeminiServer(AlwaysHealthy()) { Port = port };
        await server.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new Uri($"http://127.0.0.1:{port}/v1/"), server.BaseAddress);
    }

    /// <summary>No overloads, no latency: the server's own behaviour is under test, not the failure model.</summary>
    private static SimulatedGeminiOptions AlwaysHealthy()
    {
        var options = new SimulatedGeminiOptions { LatencyScale = 0 };
        var profile = SimulatedModelProfile.CreateCustom(new double[24]);
        profile.BackgroundFailureRate = 0;
        options.Models[SimulatedModels.NanoBanana2] = profile;
        return options;
    }

    private static StringContent Body() => new(
        $$"""{"model":"{{SimulatedModels.NanoBanana2}}","messages":[{"role":"user","content":"a cat in a spacesuit"}]}""",
        Encoding.UTF8,
        "application/json");
}
