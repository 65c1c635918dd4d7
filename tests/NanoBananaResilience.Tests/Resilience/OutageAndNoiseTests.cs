using NanoBananaResilience.Tests.Load;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>The routing issue's loopback cases: noise is not read as an outage; an outage is, and its end is noticed.</summary>
public class OutageAndNoiseTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    [Fact]
    public async Task GenerateAsync_Nb2Failing45PercentAtRandomFirstInTheChain_CostsAndSendsNoMoreThanTheArticlesFullChain()
    {
        // A real loopback gateway: NB2 answers 503 to 45% of requests at random, Pro to 12%; NB2 first (no peak window).
        await using var rig = await StressRig.StartAsync(new Dictionary<string, double> { [Nb2] = 0.45, [Pro] = 0.12 });
        rig.DriveClock();
        const int calls = 2_000;

        var records = await rig.RunAsync(calls, 32);

        // The 503 article's full chain (Solution 4) under these rates: three attempts on NB2, then three on Pro.
        const double nb2Fails = 0.45, proFails = 0.12;
        var reachesPro = Math.Pow(nb2Fails, 3);
        var s4Requests = (1 + nb2Fails + (nb2Fails * nb2Fails)) + (reachesPro * (1 + proFails + (proFails * proFails)));
        var s4Images = 1 - (reachesPro * Math.Pow(proFails, 3));
        var s4RequestsPerImage = s4Requests / s4Images;
        var s4CostPerImage = (((1 - reachesPro) * 0.067) + (reachesPro * (1 - Math.Pow(proFails, 3)) * 0.134)) / s4Images;

        var images = records.Where(r => r.Result is not null).ToList();
        var sentPerCall = records.Select(r => (double)r.Attempts.Count(CallRecord.Sent)).ToList();
        var requestsPerImage = sentPerCall.Sum() / images.Count;
        var costPerImage = images.Sum(r => r.Result!.Model == Nb2 ? 0.067 : 0.134) / images.Count;
        var mean = sentPerCall.Average();
        var standardError = Math.Sqrt(sentPerCall.Sum(x => (x - mean) * (x - mean)) / (calls - 1) / calls) / (images.Count / (double)calls);
        var downs = rig.Log.JudgedDown;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"library: {images.Count}/{calls} images, {requestsPerImage:0.000} requests and ${costPerImage:0.0000} per image, NB2 judged down {downs} time(s); " +
            $"Solution 4 expected: {s4RequestsPerImage:0.000} requests and ${s4CostPerImage:0.0000} per image");

        Assert.True(requestsPerImage <= s4RequestsPerImage + (3 * standardError), $"{requestsPerImage:0.000} requests per image against Solution 4's {s4RequestsPerImage:0.000} (± {standardError:0.000})");
        Assert.InRange(costPerImage / s4CostPerImage, 0.95, 1.05);
        rig.AssertInvariants(records);
    }

    [Fact]
    public async Task GenerateAsync_Nb2HardDown_SkippedAfterEightFailuresAndProbedOnlyWhenItsSlotComes()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());
        const int calls = 30;

        for (var i = 0; i < calls; i++)
        {
            Assert.Equal(Pro, (await h.GenerateAsync()).Model);
            h.Time.Advance(TimeSpan.FromSeconds(1)); // steady traffic: a call a second
        }

        // Eight failures judge NB2 down; then one probe per slot (5, 10, 15, 22.5 s after the trip) within the 30 s.
        var requestsPerImage = (double)h.Handler.Total / calls;
        TestContext.Current.TestOutputHelper?.WriteLine($"NB2 hard down, {calls} sequential calls a second apart: NB2 {h.Handler.Count(Nb2)} requests, Pro {h.Handler.Count(Pro)}; {requestsPerImage:0.00} requests per image");
        Assert.InRange(h.Handler.Count(Nb2), 8, 8 + 4);
        Assert.Equal(calls, h.Handler.Count(Pro));
    }

    [Fact]
    public async Task GenerateAsync_Nb2HardDownAfterAQuietHour_JudgedDownWithinTheFirstCallThatMeetsIt()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Image());
        for (var i = 0; i < 60; i++)
        {
            Assert.Equal(Nb2, (await h.GenerateAsync()).Model); // an hour in which NB2 never failed
            h.Time.Advance(TimeSpan.FromSeconds(30));
        }

        h.Handler.On(Nb2, Replies.Overloaded());
        const int calls = 30;
        var nb2Before = h.Handler.Count(Nb2);
        var proBefore = h.Handler.Count(Pro);
        var results = new List<NanoBananaResult>();
        for (var i = 0; i < calls; i++)
        {
            results.Add(await h.GenerateAsync());
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.All(results, r => Assert.Equal(Pro, r.Model));
        Assert.Equal([Nb2, Nb2, Pro], results[0].Attempts.Select(a => a.Model));
        Assert.Contains("judged down", results[0].Attempts[1].Detail, StringComparison.Ordinal);

        // The hour taught the health that NB2 rarely fails: two failures in a row are an outage, not its noise.
        var nb2 = h.Handler.Count(Nb2) - nb2Before;
        var requestsPerImage = (double)(nb2 + h.Handler.Count(Pro) - proBefore) / calls;
        TestContext.Current.TestOutputHelper?.WriteLine($"NB2 hard down after a quiet hour, {calls} calls a second apart: NB2 {nb2} requests; {requestsPerImage:0.00} requests per image");
        Assert.InRange(nb2, 2, 2 + 4);
    }

    [Fact]
    public async Task GenerateAsync_OutageOfTwentySecondsEnds_NoticedWithinTenSecondsUnderSteadyTraffic()
    {
        using var h = Harness.Create();
        var start = h.Time.GetUtcNow();
        var end = start + TimeSpan.FromSeconds(20);
        h.Handler.On(Nb2, (request, cancellationToken) => h.Time.GetUtcNow() < end ? Replies.Overloaded()(request, cancellationToken) : Replies.Image()(request, cancellationToken))
            .On(Pro, Replies.Image());

        DateTimeOffset? noticed = null;
        while (noticed is null && h.Time.GetUtcNow() < start + TimeSpan.FromMinutes(2))
        {
            var result = await h.GenerateAsync();
            if (result.Model == Nb2 && h.Time.GetUtcNow() >= end)
            {
                noticed = h.Time.GetUtcNow();
            }

            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"outage 0–20 s: NB2 served again at {(noticed - start)?.TotalSeconds:0.0} s; {h.Handler.Count(Nb2)} requests to NB2");
        Assert.NotNull(noticed);
        Assert.True(noticed - end <= TimeSpan.FromSeconds(10), $"noticed {(noticed - end)?.TotalSeconds:0.0} s after the outage ended");
    }
}
