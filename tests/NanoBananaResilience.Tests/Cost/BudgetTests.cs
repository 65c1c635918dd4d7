using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Cost;

/// <summary>Budgets through the whole client: refusals happen before sending, and reservations are atomic.</summary>
public class BudgetTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    [Fact]
    public async Task GenerateAsync_EveryModelAbovePerCallLimit_SendsNothingAndThrowsBudgetExceeded()
    {
        using var h = Harness.Create(o => o.Budget.MaxUsdPerCall = 0.05m);
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Image());

        var error = await h.FailAsync();

        Assert.Equal(0, h.Handler.Total);
        Assert.Equal(AttemptOutcome.BudgetExceeded, error.Outcome);
        Assert.False(error.IsTransient);
        Assert.Equal([Nb2, Pro], error.Attempts.Select(a => a.Model));
        Assert.All(error.Attempts, a => Assert.Equal(AttemptOutcome.BudgetExceeded, a.Outcome));
        Assert.Contains("0.067 USD, more than NanoBanana:Budget:MaxUsdPerCall (0.05 USD)", error.Attempts[0].Detail, StringComparison.Ordinal);
        Assert.StartsWith($"No model fits the budget ({Nb2}: BudgetExceeded; {Pro}: BudgetExceeded). {Pro}: an image costs 0.134 USD, more than NanoBanana:Budget:MaxUsdPerCall (0.05 USD)", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Client.Costs.GetTotals());
    }

    [Fact]
    public async Task GenerateAsync_FallbackModelAbovePerCallLimit_IsSkippedWithoutARequest()
    {
        using var h = Harness.Create(o =>
        {
            o.Budget.MaxUsdPerCall = 0.10m;
            o.CircuitBreaker.WaitForReopen = false;
        });
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Image());

        var error = await h.FailAsync();

        Assert.Equal(3, h.Handler.Count(Nb2));
        Assert.Equal(0, h.Handler.Count(Pro));
        Assert.Equal(AttemptOutcome.BudgetExceeded, error.Outcome);
        Assert.Equal((Pro, AttemptOutcome.BudgetExceeded), (error.Attempts[^1].Model, error.Attempts[^1].Outcome));
        h.Handler.AssertAllResponsesDisposed();
    }

    [Fact]
    public async Task GenerateAsync_SmallerSizeFitsPerCallLimit_IsSent()
    {
        using var h = Harness.Create(o => o.Budget.MaxUsdPerCall = 0.05m);
        h.Handler.On(Nb2, Replies.Image());

        var result = await h.Time.DriveAsync(h.Client.GenerateAsync(new NanoBananaRequest("a cat") { Size = ImageSize.HalfK }, TestContext.Current.CancellationToken));

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(0.045m, result.EstimatedCostUsd);
    }

    [Fact]
    public async Task GenerateAsync_UnpricedModelUnderABudget_IsRefusedWithoutARequest()
    {
        using var h = Harness.Create(o =>
        {
            o.Models.Add(new ModelOptions { Id = "vendor/unknown-image-model" });
            o.Budget.MaxUsdPerPeriod = 10m;
        });
        h.Handler.On("vendor/unknown-image-model", Replies.Image());

        var error = await h.FailAsync();

        Assert.Equal(0, h.Handler.Total);
        Assert.Equal(AttemptOutcome.BudgetExceeded, error.Outcome);
        Assert.Contains("no price is known for vendor/unknown-image-model", error.Attempts[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_PeriodLimitSpent_RefusesUntilTheWindowRollsPastTheSpend()
    {
        using var h = Harness.Create(o =>
        {
            o.Budget.MaxUsdPerPeriod = 0.10m;
            o.Budget.Period = TimeSpan.FromHours(1);
        });
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Image());
        var firstAt = h.Time.GetUtcNow();

        await h.GenerateAsync();
        var error = await h.FailAsync();

        Assert.Equal(1, h.Handler.Total);
        Assert.Equal(AttemptOutcome.BudgetExceeded, error.Outcome);
        Assert.Contains($"it fits again from {firstAt.AddHours(1):yyyy-MM-dd HH:mm:ss} UTC", error.Attempts[0].Detail, StringComparison.Ordinal);
        Assert.Equal(0.067m, h.Client.Costs.GetSpentInPeriodUsd());

        h.Time.SetUtcNow(firstAt.AddMinutes(59));
        await h.FailAsync();
        Assert.Equal(1, h.Handler.Total);

        h.Time.SetUtcNow(firstAt.AddHours(1));
        Assert.Equal(0m, h.Client.Costs.GetSpentInPeriodUsd());
        var result = await h.GenerateAsync();

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(2, h.Handler.Total);
    }

    [Fact]
    public async Task GenerateAsync_TwoConcurrentCallsAndABudgetForOne_OnlyOneIsSent()
    {
        using var h = Harness.Create(o => o.Budget.MaxUsdPerPeriod = 0.10m);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Handler.On(Nb2, async (request, cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            return await Replies.Image()(request, cancellationToken);
        }).On(Pro, Replies.Image());

        var first = h.Client.GenerateAsync("first", TestContext.Current.CancellationToken);
        await h.Time.WaitUntilAsync(() => h.Handler.Total == 1);
        var second = await Assert.ThrowsAsync<NanoBananaException>(() => h.Client.GenerateAsync("second", TestContext.Current.CancellationToken));

        // In flight, the first call holds NB2's price; the second could afford neither model on top of it.
        Assert.Equal(AttemptOutcome.BudgetExceeded, second.Outcome);
        Assert.Equal(1, h.Handler.Total);
        Assert.Equal(0.067m, h.Client.Costs.GetSpentInPeriodUsd());

        release.SetResult();
        var result = await first;

        Assert.Equal(Nb2, result.Model);
        Assert.Equal(1, h.Handler.Total);
        Assert.Equal(0.067m, h.Client.Costs.GetSpentInPeriodUsd());
    }

    [Fact]
    public async Task GenerateAsync_200ConcurrentCallsAndAGatewayBillingAboveTheConfiguredPrice_OvershootIsAtMostOneCallsDifference()
    {
        const decimal configured = 0.10m, billed = 0.25m, limit = 1.00m;
        using var h = Harness.Create(o =>
        {
            o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 1, PricePerImageUsd = configured });
            o.Budget.MaxUsdPerPeriod = limit;
        });
        h.Handler.On(Nb2, async (request, cancellationToken) =>
        {
            // Answers take a moment, so the calls overlap: the case where every reservation was made at the configured price.
            await Task.Delay(20, cancellationToken);
            return await BilledImage(request, cancellationToken);
        });
        var ct = TestContext.Current.CancellationToken;

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(
            async () =>
            {
                try
                {
                    return await h.Client.GenerateAsync("a cat", ct);
                }
                catch (NanoBananaException e) when (e.Outcome == AttemptOutcome.BudgetExceeded)
                {
                    return null;
                }
            },
            ct)));

        // The first call learns the gateway's price alone; then every reservation holds 0.25, so four images fit exactly.
        var images = results.Count(r => r is not null);
        var spent = h.Client.Costs.GetSpentInPeriodUsd();
        Assert.True(spent <= limit + (billed - configured), $"{spent} USD booked against a {limit} USD limit");
        Assert.Equal(images * billed, spent);
        Assert.Equal(4, images);
        Assert.Equal(images, h.Handler.Total);
    }

    [Fact]
    public async Task GenerateAsync_GatewayBilledAboveThePerCallLimit_LaterCallsAreRefusedWithoutARequest()
    {
        using var h = Harness.Create(o =>
        {
            o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 1, PricePerImageUsd = 0.10m });
            o.Budget.MaxUsdPerCall = 0.20m;
        });
        h.Handler.On(Nb2, BilledImage);

        await h.GenerateAsync();
        var error = await h.FailAsync();

        Assert.Equal(1, h.Handler.Total);
        Assert.Equal(AttemptOutcome.BudgetExceeded, error.Outcome);
        Assert.Contains("an image costs 0.25 USD, more than NanoBanana:Budget:MaxUsdPerCall (0.20 USD)", error.Attempts[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_CallLearningThePriceFails_TheNextWaitingCallLearnsIt()
    {
        using var h = Harness.Create(o =>
        {
            o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 1, PricePerImageUsd = 0.10m });
            o.Budget.MaxUsdPerPeriod = 1.00m;
            o.CircuitBreaker.Enabled = false;
        });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Handler.On(
            Nb2,
            async (request, cancellationToken) =>
            {
                await release.Task.WaitAsync(cancellationToken);
                return await Replies.Overloaded()(request, cancellationToken);
            },
            BilledImage);
        var ct = TestContext.Current.CancellationToken;

        var first = h.Client.GenerateAsync("first", ct);
        await h.Time.WaitUntilAsync(() => h.Handler.Total == 1);
        var second = h.Client.GenerateAsync("second", ct);
        await Task.Delay(20, ct);
        Assert.Equal(1, h.Handler.Total); // the second waits: what the gateway charges for NB2 is not known yet

        release.SetResult();
        await Assert.ThrowsAsync<NanoBananaException>(() => first);
        var result = await second;

        Assert.Equal(0.25m, result.EstimatedCostUsd);
        Assert.Equal(2, h.Handler.Total);
    }

    [Fact]
    public async Task GenerateAsync_CancelledWhileWaitingForThePriceToBeLearned_EndsAtOnceWithoutSending()
    {
        using var h = Harness.Create(o =>
        {
            o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 1, PricePerImageUsd = 0.10m });
            o.Budget.MaxUsdPerPeriod = 1.00m;
        });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Handler.On(Nb2, async (request, cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            return await BilledImage(request, cancellationToken);
        });
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var first = h.Client.GenerateAsync("first", TestContext.Current.CancellationToken);
        await h.Time.WaitUntilAsync(() => h.Handler.Total == 1);
        var waiting = h.Client.GenerateAsync("second", caller.Token);
        await Task.Delay(20, TestContext.Current.CancellationToken); // lets the second call reach the wait for NB2's price
        Assert.False(waiting.IsCompleted);
        await caller.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(caller.Token, error.CancellationToken);
        release.SetResult();
        await first;
        Assert.Equal(1, h.Handler.Total);
        Assert.Equal(0.25m, h.Client.Costs.GetSpentInPeriodUsd());
    }

    /// <summary>An image whose answer reports <c>usage.cost</c> 0.25 USD, as OpenRouter does.</summary>
    private static Task<HttpResponseMessage> BilledImage(HttpRequestMessage request, CancellationToken cancellationToken)
        => Replies.Json(200, Replies.ImageBody(extra: ""","usage":{"cost":0.25}"""))(request, cancellationToken);

    [Fact]
    public async Task GenerateAsync_StrandedCallWhoseProbeNoLongerFits_StopsWithoutSendingAgain()
    {
        using var h = Harness.Create(o =>
        {
            o.Budget.MaxUsdPerPeriod = 0.15m;
            o.CircuitBreaker.WaitForReopen = true;
            o.CircuitBreaker.MinimumThroughput = 3;
        });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, async (request, cancellationToken) =>
        {
            await release.Task.WaitAsync(cancellationToken);
            return await Replies.Image()(request, cancellationToken);
        });
        var ct = TestContext.Current.CancellationToken;

        // NB2 fails three times and is judged down: with nowhere else to go, the call waits for a probe slot.
        var stranded = h.Client.GenerateAsync(new NanoBananaRequest("only nb2") { Model = Nb2 }, ct);
        for (var i = 0; i < 100 && h.Handler.Count(Nb2) < 3; i++)
        {
            await Task.Delay(2, ct);
            h.Time.Advance(TimeSpan.FromMilliseconds(500));
        }

        await h.Time.WaitUntilAsync(() => h.Client.Costs.GetSpentInPeriodUsd() == 0m);

        // Meanwhile a Pro call holds 0.134 of the 0.15, so NB2's 0.067 no longer fits when the slot comes.
        var pro = h.Client.GenerateAsync(new NanoBananaRequest("pro") { Model = Pro }, ct);
        await h.Time.WaitUntilAsync(() => h.Handler.Count(Pro) == 1);
        var error = await Assert.ThrowsAsync<NanoBananaException>(() => h.Time.DriveAsync(stranded, limit: TimeSpan.FromMinutes(1)));

        Assert.Equal(AttemptOutcome.BudgetExceeded, error.Outcome);
        Assert.Equal(3, h.Handler.Count(Nb2));
        Assert.Equal((Nb2, AttemptOutcome.BudgetExceeded), (error.Attempts[^1].Model, error.Attempts[^1].Outcome));

        release.SetResult();
        Assert.Equal(Pro, (await pro).Model);
    }

    [Fact]
    public async Task GenerateAsync_CallStoppedByAContentBlock_ReleasesItsReservation()
    {
        using var h = Harness.Create(o => o.Budget.MaxUsdPerPeriod = 0.10m);
        h.Handler.On(Nb2, Replies.Json(400, """{"error":{"code":400,"message":"Blocked: IMAGE_SAFETY","status":"INVALID_ARGUMENT"}}""")).On(Pro, Replies.Image());

        var error = await h.FailAsync();

        Assert.Equal(AttemptOutcome.ContentBlocked, error.Outcome);
        Assert.Equal(0m, h.Client.Costs.GetSpentInPeriodUsd());
    }

    [Fact]
    public async Task GenerateAsync_FailedCall_ReleasesItsReservation()
    {
        using var h = Harness.Create(o =>
        {
            o.Budget.MaxUsdPerPeriod = 0.15m;
            o.CircuitBreaker.WaitForReopen = false;
        });
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Overloaded());

        await h.FailAsync();

        Assert.Equal(5, h.Handler.Total);
        Assert.Equal(0m, h.Client.Costs.GetSpentInPeriodUsd());
        Assert.Empty(h.Client.Costs.GetTotals());
    }
}
