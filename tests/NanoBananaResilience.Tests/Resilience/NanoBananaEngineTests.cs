using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

public class NanoBananaEngineTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    private static (string Model, AttemptOutcome Outcome, AttemptDecision Decision)[] Steps(IEnumerable<AttemptRecord> trail)
        => [.. trail.Select(a => (a.Model, a.Outcome, a.Decision))];

    private static ModelStatus Status(Harness h, string model) => h.Engine.GetModelStatuses().Single(s => s.Model == model);

    // ---- Attempt counts and backoff ----

    [Fact]
    public async Task GenerateAsync_EveryModelOverloadedAndWaitForReopenOff_SendsThreeToNb2ThenTwoToProAndThrowsOverloaded()
    {
        using var h = Harness.Create(o => o.CircuitBreaker.WaitForReopen = false);
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Overloaded());

        var error = await h.FailAsync();

        Assert.Equal(3, h.Handler.Count(Nb2));
        Assert.Equal(2, h.Handler.Count(Pro));
        Assert.Equal(AttemptOutcome.Overloaded, error.Outcome);
        Assert.True(error.IsTransient);
        Assert.Equal(Pro, error.Model);
        Assert.Equal(503, error.StatusCode);
        Assert.Equal("UNAVAILABLE", error.ProviderStatus);
        Assert.Contains("overloaded", error.BodyExcerpt, StringComparison.Ordinal);
        Assert.Equal(
            [
                (Nb2, AttemptOutcome.Overloaded, AttemptDecision.Retry),
                (Nb2, AttemptOutcome.Overloaded, AttemptDecision.Retry),
                (Nb2, AttemptOutcome.Overloaded, AttemptDecision.NextModel),
                (Pro, AttemptOutcome.Overloaded, AttemptDecision.Retry),
                (Pro, AttemptOutcome.Overloaded, AttemptDecision.NextModel),
            ],
            Steps(error.Attempts));
        Assert.All(error.Attempts, a => Assert.Equal(503, a.StatusCode));
        Assert.Contains("all 3 attempts on this model used", error.Attempts[2].Detail, StringComparison.Ordinal);

        // Five failures of one call are not an outage: nothing was judged down, so no time to come back is promised.
        Assert.Null(error.RetryAt);
        Assert.All(h.Engine.GetModelStatuses(), s => Assert.Equal(ModelBreakerState.Closed, s.BreakerState));
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_Nb2OverloadedTwiceThenImage_ReturnsNb2WithBackoffInTheTrail()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Image()).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(3, h.Handler.Count(Nb2));
        Assert.Equal(0, h.Handler.Count(Pro));
        Assert.Equal(
            [
                (Nb2, AttemptOutcome.Overloaded, AttemptDecision.Retry),
                (Nb2, AttemptOutcome.Overloaded, AttemptDecision.Retry),
                (Nb2, AttemptOutcome.Success, AttemptDecision.Return),
            ],
            Steps(result.Attempts));
        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.Zero], result.Attempts.Select(a => a.Waited));
        Assert.Equal([WaitReason.Backoff, WaitReason.Backoff, WaitReason.None], result.Attempts.Select(a => a.WaitReason));
        Assert.Equal(TestImages.TinyPng, result.Image.Data.ToArray());
        Assert.Equal("image/png", result.Image.MediaType);
        Assert.Equal(1, result.Image.Width);
        h.Handler.AssertAllResponsesDisposed();
    }

    [Theory]
    [InlineData(0.0, 500, 1000)]
    [InlineData(0.5, 750, 1500)]
    [InlineData(1.0, 1000, 2000)]
    public async Task GenerateAsync_Backoff_IsBaseDelayTimesTwoToTheNScaledByJitter(double draw, int firstMs, int secondMs)
    {
        using var h = Harness.Create(random: () => draw);
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(TimeSpan.FromMilliseconds(firstMs), result.Attempts[0].Waited);
        Assert.Equal(TimeSpan.FromMilliseconds(secondMs), result.Attempts[1].Waited);
    }

    [Theory]
    [InlineData(0.0, 500)]
    [InlineData(1.0, 1000)]
    [InlineData(7.0, 1000)] // a stray value is clamped, never a longer wait
    public async Task GenerateAsync_RandomizerOption_DrivesTheJitter(double draw, int waitedMs)
    {
        // No random source passed to the engine: the options' Randomizer is the one used.
        var options = Harness.ValidOptions(o => o.Retry.Randomizer = () => draw);
        var time = new DrivenClock(Harness.OffPeak);
        var handler = new ScriptedHandler();
        handler.On(Nb2, Replies.Overloaded(), Replies.Image());
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var engine = new NanoBananaEngine(options, time);

        var result = await time.DriveAsync(new NanoBananaClient(http, engine).GenerateAsync("a cat", TestContext.Current.CancellationToken));

        Assert.Equal(TimeSpan.FromMilliseconds(waitedMs), result.Attempts[0].Waited);
    }

    [Fact]
    public async Task GenerateAsync_LongBackoff_IsCappedAtMaxDelay()
    {
        using var h = Harness.Create(
            o =>
            {
                o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 5 });
                o.Retry.BaseDelay = TimeSpan.FromSeconds(10);
                o.Retry.MaxDelay = TimeSpan.FromSeconds(15);
                o.CircuitBreaker.MinimumThroughput = 20;
            },
            random: () => 1.0);
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Image());

        var result = await h.GenerateAsync(step: TimeSpan.FromMilliseconds(500));

        Assert.Equal(
            [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.Zero],
            result.Attempts.Select(a => a.Waited));
        Assert.Equal(5, h.Handler.Count(Nb2));
    }

    [Fact]
    public async Task GenerateAsync_BackoffWait_SendsNothingBeforeTheDelayHasPassed()
    {
        using var h = Harness.Create(o => o.Retry.BaseDelay = TimeSpan.FromSeconds(4));
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Image());

        var call = h.Client.GenerateAsync("a cat", TestContext.Current.CancellationToken);
        await h.Time.WaitUntilAsync(() => h.Handler.Count(Nb2) == 1);
        await h.Time.DriveAsync(Task.Delay(TimeSpan.FromMilliseconds(1900), h.Time, TestContext.Current.CancellationToken).ContinueWith(_ => 0, TaskScheduler.Default));
        Assert.Equal(1, h.Handler.Count(Nb2)); // 1.9 s of a 2 s backoff: still waiting

        var result = await h.Time.DriveAsync(call);

        Assert.Equal(2, h.Handler.Count(Nb2));
        Assert.Equal(TimeSpan.FromSeconds(2), result.Attempts[0].Waited);
    }

    // ---- Peak window through the client ----

    [Theory]
    [InlineData("09:59:59", Nb2)]
    [InlineData("10:00:00", Pro)]
    [InlineData("13:59:59", Pro)]
    [InlineData("14:00:00", Nb2)]
    public async Task GenerateAsync_AroundThePeakEdges_StartsWithTheRightModel(string time, string first)
    {
        var start = new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero) + TimeSpan.Parse(time, System.Globalization.CultureInfo.InvariantCulture);
        using var h = Harness.Create(start: start);
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(first, result.Model);
        Assert.Equal(1, h.Handler.Total);
    }

    [Fact]
    public async Task GenerateAsync_PeakWindowAcrossMidnight_ReversesAfterMidnight()
    {
        using var h = Harness.Create(
            o =>
            {
                o.PeakHours.Start = TimeSpan.FromHours(22);
                o.PeakHours.End = TimeSpan.FromHours(2);
            },
            start: new DateTimeOffset(2025, 3, 3, 1, 30, 0, TimeSpan.Zero));
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(Pro, result.Model);
    }

    [Fact]
    public async Task GenerateAsync_PeakOverloadedPro_FallsBackToNb2WithProsTwoAttempts()
    {
        using var h = Harness.Create(start: new DateTimeOffset(2025, 3, 3, 11, 0, 0, TimeSpan.Zero));
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Overloaded());

        var result = await h.GenerateAsync();

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(2, h.Handler.Count(Pro));
        Assert.Equal([Pro, Pro, Nb2], result.Attempts.Select(a => a.Model));
    }

    // ---- Rate limits, quotas and server hints ----

    [Fact]
    public async Task GenerateAsync_RateLimited_MovesOnAtOnceAndTheModelRestsForTheHint()
    {
        using var h = Harness.Create(o => o.CircuitBreaker.WaitForReopen = false);
        h.Handler.On(Nb2, Replies.RateLimited("20s")).On(Pro, Replies.Image());
        var t0 = h.Time.GetUtcNow();

        var first = await h.GenerateAsync();

        Assert.Equal(Pro, first.Model);
        Assert.Equal(1, h.Handler.Count(Nb2)); // never the same model again after a 429
        Assert.Equal([(Nb2, AttemptOutcome.RateLimited, AttemptDecision.NextModel), (Pro, AttemptOutcome.Success, AttemptDecision.Return)], Steps(first.Attempts));
        Assert.Equal(429, first.Attempts[0].StatusCode);
        Assert.Equal(TimeSpan.Zero, first.Attempts[0].Waited);
        Assert.Equal(t0.AddSeconds(20), Status(h, Nb2).RestingUntil);

        // 10 s later NB2 still rests: it is skipped without a request.
        h.Time.Advance(TimeSpan.FromSeconds(10));
        h.Handler.On(Pro, Replies.Overloaded());
        var second = await h.FailAsync();

        Assert.Equal(1, h.Handler.Count(Nb2));
        var skipped = second.Attempts[^1];
        Assert.Equal((Nb2, AttemptOutcome.CircuitOpen, AttemptDecision.NextModel), (skipped.Model, skipped.Outcome, skipped.Decision));
        Assert.Null(skipped.StatusCode);
        Assert.Contains("no request sent", skipped.Detail, StringComparison.Ordinal);

        // After the hint NB2 is first again.
        h.Time.SetUtcNow(t0.AddSeconds(21));
        h.Handler.On(Nb2, Replies.Image());
        var third = await h.GenerateAsync();

        Assert.Equal(Nb2, third.Model);
        Assert.Equal(2, h.Handler.Count(Nb2));
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_RetryAfterHeaderOnOverload_WaitsExactlyTheHint()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Overloaded(Replies.RetryAfterSeconds(7)), Replies.Image());

        var call = h.Client.GenerateAsync("a cat", TestContext.Current.CancellationToken);
        await h.Time.WaitUntilAsync(() => h.Handler.Count(Nb2) == 1);
        await h.Time.DriveAsync(Task.Delay(TimeSpan.FromMilliseconds(6900), h.Time, TestContext.Current.CancellationToken).ContinueWith(_ => 0, TaskScheduler.Default));
        Assert.Equal(1, h.Handler.Count(Nb2));

        var result = await h.Time.DriveAsync(call);

        Assert.Equal(2, h.Handler.Count(Nb2));
        Assert.Equal(TimeSpan.FromSeconds(7), result.Attempts[0].Waited);
        Assert.Equal(WaitReason.RetryAfterHeader, result.Attempts[0].WaitReason);
        Assert.Equal(AttemptDecision.Retry, result.Attempts[0].Decision);
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_RetryInfoOnOverload_WaitsTheRetryInfoDelay()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.OverloadedWithRetryInfo("3s"), Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(TimeSpan.FromSeconds(3), result.Attempts[0].Waited);
        Assert.Equal(WaitReason.RetryInfo, result.Attempts[0].WaitReason);
        Assert.Equal(Nb2, result.Model);
    }

    [Fact]
    public async Task GenerateAsync_HintBeyondMaxRetryAfter_MovesOnAtOnceAndRestsTheModel()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Overloaded(Replies.RetryAfterSeconds(120))).On(Pro, Replies.Image());
        var t0 = h.Time.GetUtcNow();

        var result = await h.GenerateAsync();

        Assert.Equal(Pro, result.Model);
        Assert.Equal(1, h.Handler.Count(Nb2));
        Assert.Equal(TimeSpan.Zero, result.Attempts[0].Waited);
        Assert.Equal(AttemptDecision.NextModel, result.Attempts[0].Decision);
        Assert.Contains("longer than Retry:MaxRetryAfter", result.Attempts[0].Detail, StringComparison.Ordinal);
        Assert.Equal(t0.AddSeconds(120), Status(h, Nb2).RestingUntil);
    }

    [Fact]
    public async Task GenerateAsync_HintBeyondTheDeadline_MovesOnAtOnce()
    {
        using var h = Harness.Create(o =>
        {
            o.TotalTimeout = TimeSpan.FromSeconds(30);
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
        });
        h.Handler.On(Nb2, Replies.Overloaded(Replies.RetryAfterSeconds(45))).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(Pro, result.Model);
        Assert.Equal(1, h.Handler.Count(Nb2));
        Assert.Contains("would pass the call's deadline", result.Attempts[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_DailyQuota_MovesOnAndCarriesTheQuotaKind()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.QuotaPerDay("3600s")).On(Pro, Replies.QuotaPerDay("3600s"));

        var error = await h.FailAsync();

        Assert.Equal(AttemptOutcome.QuotaExhausted, error.Outcome);
        Assert.Equal(QuotaKind.PerDay, error.QuotaKind);
        Assert.Equal(1, h.Handler.Count(Nb2));
        Assert.Equal(1, h.Handler.Count(Pro));
        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
    }

    // ---- Everything resting ----

    [Fact]
    public async Task GenerateAsync_AllModelsRestingAndReopenFitsTheDeadline_WaitsForTheFirstToReopen()
    {
        using var h = Harness.Create(o => o.CircuitBreaker.WaitForReopen = true);
        h.Handler.On(Nb2, Replies.RateLimited("10s"), Replies.Image()).On(Pro, Replies.RateLimited("20s"));

        var result = await h.GenerateAsync();

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(
            [
                (Nb2, AttemptOutcome.RateLimited, AttemptDecision.NextModel),
                (Pro, AttemptOutcome.RateLimited, AttemptDecision.NextModel),
                (Pro, AttemptOutcome.CircuitOpen, AttemptDecision.NextModel),
                (Nb2, AttemptOutcome.Success, AttemptDecision.Return),
            ],
            Steps(result.Attempts));
        Assert.Equal(TimeSpan.FromSeconds(10), result.Attempts[2].Waited); // the server's own hint, not a probe slot
        Assert.Equal(WaitReason.BreakerReopen, result.Attempts[2].WaitReason);
        Assert.Equal(2, h.Handler.Count(Nb2));
        Assert.Equal(1, h.Handler.Count(Pro));
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_StrandedWithTheModelDown_ProbesAtTheFirstSlotAndTheSuccessMarksItUp()
    {
        using var h = Harness.Create(o =>
        {
            o.CircuitBreaker.WaitForReopen = true;
            o.CircuitBreaker.MinimumThroughput = 3;
        });
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Image())
            .On(Pro, Replies.RateLimited("600s"));

        var result = await h.GenerateAsync();

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(4, h.Handler.Count(Nb2)); // three attempts judge it down; one probe BreakDuration later
        Assert.Equal(1, h.Handler.Count(Pro)); // Pro's 429 cooldown is honoured, never probed
        var wait = Assert.Single(result.Attempts, a => a.WaitReason == WaitReason.BreakerReopen);
        // The slot is BreakDuration after the trip; the driven clock may already have moved a step when the wait began.
        var breakDuration = new CircuitBreakerOptions().BreakDuration;
        Assert.InRange(wait.Waited, breakDuration - TimeSpan.FromSeconds(1), breakDuration);
        Assert.Equal((Nb2, AttemptOutcome.Success, AttemptDecision.Return), Steps(result.Attempts)[^1]);
        Assert.Equal(ModelBreakerState.Closed, Status(h, Nb2).BreakerState);
        Assert.Null(Status(h, Nb2).RestingUntil);
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_StrandedAndTheSlotAFractionOfAMillisecondOff_WaitsForItWithoutWalkingTheChainAgain()
    {
        using var h = Harness.Create(o =>
        {
            o.CircuitBreaker.WaitForReopen = true;
            o.CircuitBreaker.MinimumThroughput = 3;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromTicks(49_996_000); // 4,999.6 ms
        });
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Image())
            .On(Pro, Replies.RateLimited("600s"));
        var readsBefore = h.Time.Reads;

        var result = await h.GenerateAsync();

        // A wait cut to whole milliseconds (Task.Delay drops the rest) ended 0.6 ms before the slot, and the call read the
        // clock and walked the chain until the driver noticed 10,000 reads and moved the clock: one wait, not thousands.
        Assert.Equal(Nb2, result.Model);
        Assert.Single(result.Attempts, a => a.WaitReason == WaitReason.BreakerReopen);
        Assert.InRange(h.Time.Reads - readsBefore, 1, 1_000);
    }

    [Theory]
    [InlineData(-5_000, 0)]
    [InlineData(0, 0)]
    [InlineData(1, 10_000)]
    [InlineData(4_000, 10_000)]
    [InlineData(10_000, 10_000)]
    [InlineData(49_996_000, 50_000_000)]
    public void WholeMillisecondsUp_RoundsAWaitUpNeverDown(long ticks, long expected)
        => Assert.Equal(TimeSpan.FromTicks(expected), NanoBananaEngine.WholeMillisecondsUp(TimeSpan.FromTicks(ticks)));

    [Fact]
    public async Task GenerateAsync_ManyStrandedCalls_ShareOneProbePerSlotAndFailWithinTheDeadline()
    {
        using var h = Harness.Create(o =>
        {
            o.CircuitBreaker.WaitForReopen = true;
            o.CircuitBreaker.StrandedCallsTryOpenModels = false;
            o.CircuitBreaker.MinimumThroughput = 3;
        });
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.RateLimited("600s"));
        var ct = TestContext.Current.CancellationToken;

        // The first call trips NB2's breaker and sets Pro's cooldown; the other four arrive with both resting.
        var calls = new List<Task<NanoBananaResult>> { h.Client.GenerateAsync("a cat", ct) };
        await h.Time.DriveUntilAsync(() => Status(h, Pro).RestingUntil is not null && Status(h, Nb2).RestingUntil is not null);
        calls.AddRange(Enumerable.Range(0, 4).Select(_ => h.Client.GenerateAsync("a cat", ct)));
        var all = Task.WhenAll(calls.Select(async c => await Assert.ThrowsAsync<NanoBananaException>(() => c)));
        var errors = await h.Time.DriveAsync(all);

        // Probe slots 5, 10, 15, 22.5, 34, 51, 76.5, 115 and 172.5 s after the trip, until TotalTimeout − AttemptTimeout
        // (3 min): nine, whatever the number of waiting calls; five calls probing on their own would have sent 45.
        var probes = h.Handler.Count(Nb2) - 3;
        Assert.InRange(probes, 8, 9);
        Assert.Equal(1, h.Handler.Count(Pro));
        Assert.All(errors, e => Assert.Contains(e.Attempts, a => a.WaitReason == WaitReason.BreakerReopen));
        Assert.All(errors, e => Assert.True(e.IsTransient));
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_StrandedAndCancelledWhileWaiting_ThrowsOperationCanceledAtOnce()
    {
        using var h = Harness.Create(o =>
        {
            o.CircuitBreaker.WaitForReopen = true;
            o.CircuitBreaker.MinimumThroughput = 3;
        });
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.RateLimited("600s"));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var call = h.Client.GenerateAsync("a cat", cts.Token);
        await h.Time.DriveUntilAsync(() => h.Handler.Count(Pro) > 0);
        var sent = h.Handler.Total;

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(sent, h.Handler.Total);
    }

    [Fact]
    public async Task GenerateAsync_AllModelsRestingBeyondTheDeadline_ThrowsAtOnceWithRetryAfter()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.QuotaPerDay("3600s")).On(Pro, Replies.QuotaPerDay("3600s"));
        _ = await h.FailAsync();
        var sent = h.Handler.Total;

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => h.Client.GenerateAsync("a cat", TestContext.Current.CancellationToken));

        Assert.Equal(sent, h.Handler.Total);
        Assert.Equal(AttemptOutcome.CircuitOpen, error.Outcome);
        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
        Assert.Equal([AttemptOutcome.CircuitOpen, AttemptOutcome.CircuitOpen], error.Attempts.Select(a => a.Outcome));
        Assert.Contains("may be tried again in 01:00:00", error.Message, StringComparison.Ordinal);
    }

    // ---- Circuit breaker ----

    [Fact]
    public async Task GenerateAsync_Outage_JudgesTheModelDownAndLaterCallsSkipItUntilAProbeAnswers()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());

        // Eight failures in a row judge NB2 down: two calls spend their three attempts, the third call two more.
        await h.GenerateAsync();
        await h.GenerateAsync();
        Assert.Equal(ModelBreakerState.Closed, Status(h, Nb2).BreakerState);
        var third = await h.GenerateAsync();
        Assert.Equal(8, h.Handler.Count(Nb2));
        Assert.Contains("judged down", third.Attempts[1].Detail, StringComparison.Ordinal);
        Assert.Equal(ModelBreakerState.Open, Status(h, Nb2).BreakerState);
        var probeAt = Status(h, Nb2).RestingUntil!.Value;
        Assert.Equal(new CircuitBreakerOptions().BreakDuration, probeAt - h.Time.GetUtcNow());

        var fourth = await h.GenerateAsync();
        Assert.Equal(8, h.Handler.Count(Nb2)); // no request to a model that is down
        Assert.Equal([Pro], fourth.Attempts.Select(a => a.Model)); // a down model goes to the back of the chain

        h.Time.SetUtcNow(probeAt);
        h.Handler.On(Nb2, Replies.Image());
        var fifth = await h.GenerateAsync();

        Assert.Equal(Nb2, fifth.Model); // the call that reached NB2 first after the slot probed it, and it answered
        Assert.Equal(9, h.Handler.Count(Nb2));
        Assert.Equal(ModelBreakerState.Closed, Status(h, Nb2).BreakerState);
        Assert.Null(Status(h, Nb2).RestingUntil);
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_ProbeFails_OneRequestThenTheNextModel()
    {
        using var h = Harness.Create(o => o.CircuitBreaker.MinimumThroughput = 3);
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());
        await h.GenerateAsync();
        h.Time.Advance(new CircuitBreakerOptions().BreakDuration);

        var probing = await h.GenerateAsync();

        Assert.Equal([(Nb2, AttemptOutcome.Overloaded, AttemptDecision.NextModel), (Pro, AttemptOutcome.Success, AttemptDecision.Return)], Steps(probing.Attempts));
        Assert.Equal(4, h.Handler.Count(Nb2));
        Assert.Equal(ModelBreakerState.Open, Status(h, Nb2).BreakerState);
    }

    [Fact]
    public async Task GenerateAsync_ModelDownMidCall_StopsRetryingThatModel()
    {
        using var h = Harness.Create(o =>
        {
            o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 6 });
            o.Models.Add(new ModelOptions { Id = Pro, MaxAttempts = 1 });
            o.CircuitBreaker.MinimumThroughput = 3;
        });
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(3, h.Handler.Count(Nb2));
        Assert.Contains("judged down", result.Attempts[2].Detail, StringComparison.Ordinal);
        Assert.Equal(Pro, result.Model);
    }

    [Fact]
    public async Task GenerateAsync_FailedProbes_SpreadOutWithTheOutagesAgeUpToProbeIntervalAndASuccessEndsIt()
    {
        const string a = "model-a";
        const string b = "model-b";
        using var h = Harness.Create(o =>
        {
            o.Models.Add(new ModelOptions { Id = a, MaxAttempts = 1 });
            o.Models.Add(new ModelOptions { Id = b, MaxAttempts = 1 });
            o.CircuitBreaker.MinimumThroughput = 2;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(10);
            o.CircuitBreaker.ProbeInterval = TimeSpan.FromSeconds(35);
        });
        h.Handler.On(a, Replies.Overloaded()).On(b, Replies.Image());
        TimeSpan Rest() => Status(h, a).RestingUntil!.Value - h.Time.GetUtcNow();

        // Nothing in these calls waits on the clock (one attempt each, model-b answers), so they run without
        // driving it: a driven clock could move 100 ms while a slow machine finishes the call.
        Task<NanoBananaResult> GenerateAsync() => h.Client.GenerateAsync("a cat", TestContext.Current.CancellationToken);

        await GenerateAsync();
        await GenerateAsync();
        var gaps = new List<double> { Rest().TotalSeconds };
        for (var probe = 0; probe < 6; probe++)
        {
            h.Time.Advance(Rest());
            await GenerateAsync(); // the probe fails
            gaps.Add(Rest().TotalSeconds);
        }

        // Ages 0, 10, 20, 30, 45, 67.5, 101.25 s: the next gap is half the age, at least 10 s, at most 35 s.
        Assert.Equal([10, 10, 10, 15, 22.5, 33.75, 35], gaps);
        Assert.Equal(2 + 6, h.Handler.Count(a));

        h.Time.Advance(Rest());
        h.Handler.On(a, Replies.Image());
        var up = await GenerateAsync();
        Assert.Equal(a, up.Model);
        Assert.Equal(ModelBreakerState.Closed, Status(h, a).BreakerState);

        h.Handler.On(a, Replies.Overloaded());
        await GenerateAsync();
        await GenerateAsync();
        Assert.Equal(TimeSpan.FromSeconds(10), Rest()); // a new outage starts again at BreakDuration
    }

    [Fact]
    public async Task GenerateAsync_BreakerDisabled_NeverSkipsOrRests()
    {
        using var h = Harness.Create(o => o.CircuitBreaker.Enabled = false);
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());

        await h.GenerateAsync();
        await h.GenerateAsync();

        Assert.Equal(6, h.Handler.Count(Nb2));
        Assert.Null(Status(h, Nb2).RestingUntil);
    }

    // ---- Timeouts and cancellation ----

    [Fact]
    public async Task GenerateAsync_AttemptTimeout_RecordsTimeoutAndMovesOnWithoutRetrying()
    {
        using var h = Harness.Create(o => o.AttemptTimeout = TimeSpan.FromSeconds(10));
        h.Handler.On(Nb2, Replies.Stall(h.Time)).On(Pro, Replies.Image());

        var result = await h.GenerateAsync(step: TimeSpan.FromSeconds(1));

        Assert.Equal(Pro, result.Model);
        Assert.Equal(1, h.Handler.Count(Nb2));
        var timedOut = result.Attempts[0];
        Assert.Equal((Nb2, AttemptOutcome.Timeout, AttemptDecision.NextModel), (timedOut.Model, timedOut.Outcome, timedOut.Decision));
        Assert.Null(timedOut.StatusCode);
        Assert.InRange(timedOut.Elapsed, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12));
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_TotalTimeout_ThrowsTimeoutWithTheTrail()
    {
        using var h = Harness.Create(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(15);
            o.TotalTimeout = TimeSpan.FromSeconds(20);
        });
        h.Handler.On(Nb2, Replies.Stall(h.Time)).On(Pro, Replies.Stall(h.Time));

        var error = await h.FailAsync(step: TimeSpan.FromSeconds(1));

        Assert.Equal(AttemptOutcome.Timeout, error.Outcome);
        Assert.Contains("TotalTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            [(Nb2, AttemptOutcome.Timeout, AttemptDecision.NextModel), (Pro, AttemptOutcome.Timeout, AttemptDecision.Stop)],
            Steps(error.Attempts));
        Assert.Equal(1, h.Handler.Count(Pro));
    }

    [Fact]
    public async Task GenerateAsync_TotalTimeoutCutsAnAttempt_TheRecordBlamesTheTotalNotTheAttemptTimeout()
    {
        using var h = Harness.Create(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(15);
            o.TotalTimeout = TimeSpan.FromSeconds(20);
        });
        h.Handler.On(Nb2, Replies.Stall(h.Time)).On(Pro, Replies.Stall(h.Time));

        var error = await h.FailAsync(step: TimeSpan.FromSeconds(1));

        // Pro's attempt ran at most 5 s of its 15: advice to raise AttemptTimeout would be wrong.
        var cut = error.Attempts[^1];
        Assert.Equal((Pro, AttemptOutcome.Timeout), (cut.Model, cut.Outcome));
        Assert.InRange(cut.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("AttemptTimeout", cut.Detail, StringComparison.Ordinal);
        Assert.Contains("TotalTimeout", cut.Detail, StringComparison.Ordinal);
        Assert.Contains("no complete answer within AttemptTimeout", error.Attempts[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_CancelledDuringBackoff_ThrowsOperationCanceledAtOnce()
    {
        using var h = Harness.Create(o => o.Retry.BaseDelay = TimeSpan.FromSeconds(20));
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());
        using var cts = new CancellationTokenSource();
        var start = h.Time.GetUtcNow();

        var call = h.Client.GenerateAsync("a cat", cts.Token);
        await h.Time.WaitUntilAsync(() => h.Handler.Count(Nb2) == 1 && h.Handler.Responses.All(r => r.Disposed));
        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(start, h.Time.GetUtcNow()); // the fake clock never moved: the wait was abandoned, not served
        Assert.Equal(1, h.Handler.Count(Nb2));
        Assert.Equal(0, h.Handler.Count(Pro));
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_AlreadyCancelled_SendsNothing()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Image());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Client.GenerateAsync("a cat", new CancellationToken(canceled: true)));

        Assert.Equal(0, h.Handler.Total);
    }

    // ---- Terminal outcomes ----

    public static TheoryData<string, int, string, AttemptOutcome> TerminalAnswers => new()
    {
        { "400 IMAGE_SAFETY", 400, """{"error":{"code":400,"message":"Blocked: IMAGE_SAFETY","status":"INVALID_ARGUMENT"}}""", AttemptOutcome.ContentBlocked },
        { "200 IMAGE_SAFETY", 200, WireFixtures.Text("google-native-image-safety.json"), AttemptOutcome.ContentBlocked },
        { "401 OpenAI style", 401, WireFixtures.Text("openai-style-error-401.json"), AttemptOutcome.Unauthorized },
        { "400 API_KEY_INVALID", 400, WireFixtures.Text("google-400-api-key-invalid.json"), AttemptOutcome.Unauthorized },
        { "402", 402, """{"error":{"code":402,"message":"Insufficient credits"}}""", AttemptOutcome.PaymentRequired },
        { "400 other", 400, """{"error":{"code":400,"message":"Invalid aspect ratio","status":"INVALID_ARGUMENT"}}""", AttemptOutcome.BadRequest },
    };

    [Theory]
    [MemberData(nameof(TerminalAnswers))]
    public async Task GenerateAsync_TerminalAnswer_StopsAfterExactlyOneRequest(string name, int status, string body, AttemptOutcome outcome)
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Json(status, body)).On(Pro, Replies.Image());

        var error = await h.FailAsync();

        Assert.Equal(outcome, error.Outcome);
        Assert.True(h.Handler.Total == 1, name);
        Assert.False(error.IsTransient);
        var only = Assert.Single(error.Attempts);
        Assert.Equal((Nb2, outcome, AttemptDecision.Stop), (only.Model, only.Outcome, only.Decision));
        Assert.Equal(status, error.StatusCode);
        Assert.DoesNotContain(Harness.ApiKey, error.ToString(), StringComparison.Ordinal);
        h.Handler.AssertAllResponsesDisposed();
    }

    // ---- Outcomes that move on ----

    [Fact]
    public async Task GenerateAsync_NoImage_MovesOnWithoutRetrying()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Fixture(200, "openrouter-no-image-stop.json")).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(Pro, result.Model);
        Assert.Equal(1, h.Handler.Count(Nb2));
        Assert.Equal(AttemptOutcome.NoImage, result.Attempts[0].Outcome);
    }

    [Fact]
    public async Task GenerateAsync_ModelNotFound_MovesOn()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Json(404, """{"error":{"code":404,"message":"model not found","status":"NOT_FOUND"}}""")).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(Pro, result.Model);
        Assert.Equal(1, h.Handler.Count(Nb2));
        Assert.Equal(AttemptOutcome.ModelNotFound, result.Attempts[0].Outcome);
    }

    [Fact]
    public async Task GenerateAsync_EveryModelUnknown_IsAConfigurationErrorNotTransient()
    {
        using var h = Harness.Create();
        var unknown = Replies.Json(404, """{"error":{"code":404,"message":"model not found","status":"NOT_FOUND"}}""");
        h.Handler.On(Nb2, unknown).On(Pro, unknown);

        var error = await h.FailAsync();

        Assert.Equal(AttemptOutcome.ModelNotFound, error.Outcome);
        Assert.True(error.IsUnknownModels);
        Assert.False(error.IsTransient);
        Assert.Equal((1, 1), (h.Handler.Count(Nb2), h.Handler.Count(Pro)));
    }

    [Fact]
    public async Task GenerateAsync_OneModelUnknownOneOverloaded_StaysTransient()
    {
        using var h = Harness.Create(o => o.CircuitBreaker.Enabled = false);
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded())
            .On(Pro, Replies.Json(404, """{"error":{"code":404,"message":"model not found","status":"NOT_FOUND"}}"""));

        var error = await h.FailAsync();

        Assert.Equal(AttemptOutcome.ModelNotFound, error.Outcome);
        Assert.False(error.IsUnknownModels);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task GenerateAsync_ProtocolError_IsRetriedOnceThenMovesOn()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Fixture(200, "gateway-nginx-502.html", "text/html")).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(2, h.Handler.Count(Nb2));
        Assert.Equal(
            [
                (Nb2, AttemptOutcome.ProtocolError, AttemptDecision.Retry),
                (Nb2, AttemptOutcome.ProtocolError, AttemptDecision.NextModel),
                (Pro, AttemptOutcome.Success, AttemptDecision.Return),
            ],
            Steps(result.Attempts));
    }

    [Fact]
    public async Task GenerateAsync_ConnectionFailure_IsAServerErrorRetriedWithBackoff()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Throw(new HttpRequestException("Connection refused")), Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(AttemptOutcome.ServerError, result.Attempts[0].Outcome);
        Assert.Null(result.Attempts[0].StatusCode);
        Assert.Contains("Connection refused", result.Attempts[0].Detail, StringComparison.Ordinal);
        Assert.Equal(AttemptDecision.Retry, result.Attempts[0].Decision);
    }

    [Fact]
    public async Task GenerateAsync_ResponseTooLarge_MovesOnWithoutRetrying()
    {
        byte[] big = [.. TestImages.PngHeader(4096, 4096), .. new byte[4000]];
        using var h = Harness.Create(o => o.MaxImageBytes = 2048);
        h.Handler.On(Nb2, Replies.Json(200, Replies.ImageBody(Convert.ToBase64String(big)))).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(Pro, result.Model);
        Assert.Equal(1, h.Handler.Count(Nb2));
        Assert.Equal(AttemptOutcome.ResponseTooLarge, result.Attempts[0].Outcome);
        Assert.Contains("MaxImageBytes", result.Attempts[0].Detail, StringComparison.Ordinal);
        h.Handler.AssertAllResponsesDisposed();
    }

    // ---- Requests and results ----

    [Fact]
    public async Task GenerateAsync_EveryAttempt_SendsAFreshRequestWithItsModelKeyAndEndpoint()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());

        await h.GenerateAsync();

        var requests = h.Handler.Requests;
        Assert.Equal([Nb2, Nb2, Nb2, Pro], requests.Select(r => r.Model));
        Assert.All(requests, r =>
        {
            Assert.Equal(new Uri("https://gateway.test/api/v1/chat/completions"), r.Uri);
            Assert.Equal("Bearer", r.Authorization!.Scheme);
            Assert.Equal(Harness.ApiKey, r.Authorization.Parameter);
            Assert.Contains("\"content\":\"a cat in a spacesuit\"", r.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task GenerateAsync_RequestModel_ReplacesTheChain()
    {
        using var h = Harness.Create();
        h.Handler.On("custom/model", Replies.Overloaded());

        var error = await Assert.ThrowsAsync<NanoBananaException>(() => h.Time.DriveAsync(h.Client.GenerateAsync(new NanoBananaRequest("x") { Model = "custom/model" }, TestContext.Current.CancellationToken)));

        Assert.Equal(1, h.Handler.Count("custom/model")); // an unknown model gets one attempt
        Assert.Equal(1, h.Handler.Total);
        Assert.Equal("custom/model", error.Model);
    }

    [Fact]
    public async Task GenerateAsync_ManyCallerChosenModels_TrackAtMostABoundedNumberAndStillServe()
    {
        using var h = Harness.Create();
        var ids = Enumerable.Range(0, ModelKeys.Capacity + 36).Select(i => $"custom/model-{i}").ToList();
        foreach (var id in ids)
        {
            h.Handler.On(id, Replies.Image());
        }

        foreach (var id in ids)
        {
            var result = await h.Time.DriveAsync(h.Client.GenerateAsync(new NanoBananaRequest("x") { Model = id }, TestContext.Current.CancellationToken));
            Assert.Equal(id, result.Model);
        }

        Assert.Equal(ModelKeys.Capacity - 1, h.Engine.GetModelStatuses().Count); // one key is the overflow's
        Assert.Equal(ids.Count, h.Handler.Total);
    }

    [Fact]
    public async Task GenerateAsync_JpegLabelledPng_TrustsTheBytes()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Json(200, Replies.ImageBody(TestImages.TinyJpegBase64, "image/png")));

        var result = await h.GenerateAsync();

        Assert.Equal("image/jpeg", result.Image.MediaType);
        Assert.Equal(".jpg", result.Image.FileExtension);
        Assert.Equal((1, 1), (result.Image.Width, result.Image.Height));
    }

    [Fact]
    public async Task GenerateAsync_ReportedCost_WinsOverTheListPrice()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Fixture(200, "openrouter-images-success.json"));

        var result = await h.GenerateAsync();

        Assert.Equal(0.0387036m, result.EstimatedCostUsd);
        Assert.Equal(1290, result.Usage!.ImageTokens);
    }

    [Fact]
    public async Task GenerateAsync_NoReportedCost_UsesTheListPriceForTheServingModel()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());

        var result = await h.GenerateAsync();

        Assert.Equal(0.134m, result.EstimatedCostUsd);
    }

    [Fact]
    public async Task GenerateAsync_HostedImageUrl_ReturnsTheUrlWithoutBytes()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Fixture(200, "proxy-markdown-url-success.json"));

        var result = await h.GenerateAsync();

        Assert.Equal(new Uri("https://example.com/img/generated.png"), result.Image.Url);
        Assert.True(result.Image.Data.IsEmpty);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheKey()
    {
        var options = Harness.ValidOptions(o => o.ApiKey = null);

        var error = Assert.Throws<ArgumentException>(() => new NanoBananaEngine(options));

        Assert.Contains("NanoBanana:ApiKey", error.Message, StringComparison.Ordinal);
    }
}
