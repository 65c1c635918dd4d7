using System.Net;
using NanoBanana.Cli.Simulation;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Tests.Simulation;

/// <summary>Each of the article's solutions, pinned request by request against a scripted gateway.</summary>
public sealed class ArticleStrategiesTests
{
    private const string Nb2 = SimulatedModels.NanoBanana2;
    private const string Pro = SimulatedModels.NanoBananaPro;
    private static readonly DateTimeOffset Morning = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task S1_Nb2OverloadedFiveTimes_FiveRequestsOneTwoFourEightSecondsApartThenSleepsOnceMore()
    {
        var (result, requests, elapsed) = await RunAsync("s1", Morning, g => g
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded));

        Assert.False(result.Success);
        Assert.Equal([Nb2, Nb2, Nb2, Nb2, Nb2], requests.Select(r => r.Model));
        AssertGaps(requests, [1, 2, 4, 8]);

        // The Python sleeps after the fifth 503 too (2**4 + U(0,1)) before giving up.
        Assert.InRange(elapsed - requests[^1].At, TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(17));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task S1_AnyAnswerButA503_EndsTheCall(HttpStatusCode status)
    {
        var (result, requests, _) = await RunAsync("s1", Morning, g => g.Then(Nb2, status, "{}").Then(Nb2, HttpStatusCode.OK));

        Assert.False(result.Success);
        Assert.Single(requests);
    }

    [Fact]
    public async Task S1_TimeoutOf120Seconds_EndsTheCall()
    {
        var (result, requests, elapsed) = await RunAsync("s1", Morning, g => g.ThenStall(Nb2).Then(Nb2, HttpStatusCode.OK));

        Assert.False(result.Success);
        Assert.Single(requests);
        Assert.Equal(TimeSpan.FromSeconds(120), elapsed);
    }

    [Fact]
    public async Task S2_Nb2Fails_ProOnceAtOnce()
    {
        var (result, requests, _) = await RunAsync("s2", Morning, g => g.Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded).Then(Pro, HttpStatusCode.OK));

        Assert.Equal(new CallResult(true, Pro), result);
        Assert.Equal([(Nb2, TimeSpan.Zero), (Pro, TimeSpan.Zero)], requests);
    }

    [Fact]
    public async Task S2_Nb2AnswersWithoutAnImage_TheResponseIsReturnedAndProNotTried()
    {
        var (result, requests, _) = await RunAsync("s2", Morning, g => g.Then(Nb2, HttpStatusCode.OK, ScriptedGateway.TextOnly).Then(Pro, HttpStatusCode.OK));

        Assert.False(result.Success);
        Assert.Single(requests);
    }

    [Theory]
    [InlineData(9, 59, Nb2)]
    [InlineData(10, 0, Pro)]
    [InlineData(14, 30, Pro)] // the article's inclusive 10 <= hour <= 14
    [InlineData(15, 0, Nb2)]
    public async Task S3_ModelByUtcHour_OneRequest(int hour, int minute, string model)
    {
        var at = new DateTimeOffset(2026, 1, 5, hour, minute, 0, TimeSpan.Zero);

        var (result, requests, _) = await RunAsync("s3", at, g => g.Then(model, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded));

        Assert.False(result.Success);
        Assert.Equal([model], requests.Select(r => r.Model));
    }

    [Fact]
    public async Task S4_OffPeakNb2OverloadedThreeTimes_ProAfterTheSleepThatFollowsTheLast503()
    {
        var (result, requests, _) = await RunAsync("s4", Morning, g => g
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Pro, HttpStatusCode.OK));

        Assert.Equal(new CallResult(true, Pro), result);
        Assert.Equal([Nb2, Nb2, Nb2, Pro], requests.Select(r => r.Model));
        AssertGaps(requests, [1, 2, 4]);
    }

    [Fact]
    public async Task S4_AtFourteenThirty_ProFirstTwiceThenNb2ThreeTimes()
    {
        var at = new DateTimeOffset(2026, 1, 5, 14, 30, 0, TimeSpan.Zero);

        var (result, requests, _) = await RunAsync("s4", at, g => g
            .Then(Pro, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Pro, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded)
            .Then(Nb2, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded));

        Assert.False(result.Success);
        Assert.Equal([Pro, Pro, Nb2, Nb2, Nb2], requests.Select(r => r.Model));

        // Each model's backoff restarts at 2**0: Pro 1, 2 s; NB2 1, 2 s.
        AssertGaps(requests, [1, 2, 1, 2]);
    }

    [Fact]
    public async Task S4_RateLimited_NextModelAtOnce()
    {
        var (result, requests, _) = await RunAsync("s4", Morning, g => g.Then(Nb2, HttpStatusCode.TooManyRequests, "{}").Then(Pro, HttpStatusCode.OK));

        Assert.Equal(new CallResult(true, Pro), result);
        Assert.Equal([(Nb2, TimeSpan.Zero), (Pro, TimeSpan.Zero)], requests);
    }

    [Fact]
    public async Task S4_Timeout_NextModelAfter120Seconds()
    {
        var (result, requests, _) = await RunAsync("s4", Morning, g => g.ThenStall(Nb2).Then(Pro, HttpStatusCode.OK));

        Assert.Equal(new CallResult(true, Pro), result);
        Assert.Equal([(Nb2, TimeSpan.Zero), (Pro, TimeSpan.FromSeconds(120))], requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "{}")]
    [InlineData(HttpStatusCode.OK, ScriptedGateway.TextOnly)]
    public async Task S4_OtherErrorOrNoImage_EndsTheCall(HttpStatusCode status, string body)
    {
        var (result, requests, _) = await RunAsync("s4", Morning, g => g.Then(Nb2, status, body).Then(Nb2, HttpStatusCode.OK).Then(Pro, HttpStatusCode.OK));

        Assert.False(result.Success);
        Assert.Single(requests);
    }

    [Theory]
    [InlineData("nb2-only", Nb2)]
    [InlineData("pro-only", Pro)]
    public async Task SingleModel_Overloaded_OneRequestNoRetry(string strategy, string model)
    {
        var (result, requests, _) = await RunAsync(strategy, Morning, g => g.Then(model, HttpStatusCode.ServiceUnavailable, ScriptedGateway.Overloaded).Then(model, HttpStatusCode.OK));

        Assert.False(result.Success);
        Assert.Equal([model], requests.Select(r => r.Model));
    }

    /// <summary>Gap k (seconds between request k and k+1) is 2^n + U(0,1) for the listed n-th power values.</summary>
    private static void AssertGaps(List<(string Model, TimeSpan At)> requests, int[] whole)
    {
        for (var k = 0; k < whole.Length; k++)
        {
            var gap = requests[k + 1].At - requests[k].At;
            Assert.InRange(gap, TimeSpan.FromSeconds(whole[k]), TimeSpan.FromSeconds(whole[k] + 1));
        }
    }

    private static async Task<(CallResult Result, List<(string Model, TimeSpan At)> Requests, TimeSpan Elapsed)> RunAsync(
        string strategy, DateTimeOffset at, Action<ScriptedGateway> script)
    {
        var clock = new VirtualTimeProvider(at);
        var gateway = new ScriptedGateway(clock) { Origin = at };
        script(gateway);
        using var http = new HttpClient(gateway) { Timeout = Timeout.InfiniteTimeSpan };
        using var simulator = new SimulatedGeminiHandler();
        var definition = ArticleStrategies.All.Single(s => s.Name == strategy);
        using var run = definition.Prepare(new StrategyContext(clock, simulator, http, Seed: 1));

        var result = await clock.RunAsync(async () =>
        {
            using var deadline = new CancellationTokenSource(SimulationSetup.Deadline, clock);
            return await run.CallAsync(0, deadline.Token).ConfigureAwait(false);
        }, TestContext.Current.CancellationToken);

        return (result, gateway.Requests, clock.GetUtcNow() - at);
    }
}
