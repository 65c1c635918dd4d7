using System.Net;
using System.Text;
using NanoBananaResilience.Redis.Tests.TestSupport;

namespace NanoBananaResilience.Redis.Tests;

/// <summary>With named gateways, health is shared per route: a model down at one gateway is skipped there by every process, and still used at the other.</summary>
public sealed class SharedRouteHealthTests : IDisposable
{
    private const string Nb2 = "gemini-3.1-flash-image-preview";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);
    private readonly RedisServer _redis = RedisServer.Start();
    private readonly string _prefix = States.Prefix();

    [Fact]
    public async Task Nb2DownAtOneGateway_AnotherProcessSkipsThatRouteOnly()
    {
        var primary = new Gateway(HttpStatusCode.ServiceUnavailable);
        var backup = new Gateway(HttpStatusCode.OK);
        var client = Options();
        using var http = new HttpClient(new ByHost(new Dictionary<string, Gateway> { ["primary.test"] = primary, ["backup.test"] = backup }));
        using var stateA = States.Create(_redis.ConnectionString, TimeProvider.System, _prefix, client: client);
        using var stateB = States.Create(_redis.ConnectionString, TimeProvider.System, _prefix, client: client);
        using var a = new NanoBananaEngine(client, TimeProvider.System, sharedState: stateA);
        using var b = new NanoBananaEngine(client, TimeProvider.System, sharedState: stateB);

        // Process a: three attempts a call on NB2 at the primary until eight failures judge that route down.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("backup", (await a.GenerateAsync(http, new NanoBananaRequest("x"), TestContext.Current.CancellationToken)).Gateway);
        }

        Assert.Equal(8, primary.Requests);
        using var inspect = States.Inspect(_redis);
        _ = await States.EventuallyAsync(() => inspect.GetDatabase().KeyExists(stateA.Keys.Health(stateA.Route, Nb2 + "@primary")), e => e, Within);
        Assert.False(inspect.GetDatabase().KeyExists(stateA.Keys.Health(stateA.Route, Nb2 + "@backup")));

        // Process b never sent NB2 to the primary: it skips that route and uses the backup's.
        var result = await b.GenerateAsync(http, new NanoBananaRequest("x"), TestContext.Current.CancellationToken);

        Assert.Equal(8, primary.Requests);
        Assert.Equal((Nb2, "backup"), (result.Model, result.Gateway));
        Assert.Equal(("primary", AttemptOutcome.CircuitOpen), (result.Attempts[0].Gateway, result.Attempts[0].Outcome));
    }

    public void Dispose() => _redis.Dispose();

    private static NanoBananaOptions Options()
    {
        var options = States.Client();
        options.BaseAddress = null;
        options.ApiKey = null;
        options.PeakHours.Enabled = false;
        options.AttemptTimeout = TimeSpan.FromSeconds(10);
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(2);
        options.Gateways.Add(new GatewayOptions { Name = "primary", BaseAddress = new Uri("http://primary.test/v1/"), ApiKey = "sk-a", AllowInsecureHttp = true });
        options.Gateways.Add(new GatewayOptions { Name = "backup", BaseAddress = new Uri("http://backup.test/v1/"), ApiKey = "sk-b", AllowInsecureHttp = true });
        return options;
    }

    /// <summary>A gateway that answers every request the same way: an image, or Google's 503.</summary>
    private sealed class Gateway(HttpStatusCode status)
    {
        private const string Image = """{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"","images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"}}]}}]}""";
        private const string Overloaded = """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""";
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public HttpResponseMessage Answer()
        {
            Interlocked.Increment(ref _requests);
            return new HttpResponseMessage(status) { Content = new StringContent(status == HttpStatusCode.OK ? Image : Overloaded, Encoding.UTF8, "application/json") };
        }
    }

    private sealed class ByHost(IReadOnlyDictionary<string, Gateway> gateways) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(gateways[request.RequestUri!.Host].Answer());
    }
}
