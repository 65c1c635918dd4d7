using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary><c>CircuitBreaker:StrandedCallsTryOpenModels</c>: a call with nowhere else to go spends the attempts of a model judged down.</summary>
public class StrandedCallsTryOpenModelsTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    private static Harness Create(bool tryOpenModels) => Harness.Create(o =>
    {
        o.CircuitBreaker.StrandedCallsTryOpenModels = tryOpenModels;
        o.CircuitBreaker.WaitForReopen = false;

        // Three failures judge a model down, and no probe comes during these calls: the scenarios are about the pass.
        o.CircuitBreaker.MinimumThroughput = 3;
        o.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(1);
    });

    [Fact]
    public async Task GenerateAsync_Nb2OpenAndProFails_SpendsNb2sAttemptsAndClosesItsBreaker()
    {
        using var h = Create(tryOpenModels: true);
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Image()).On(Pro, Replies.Overloaded());

        // The first call trips NB2's breaker (three 503s) and finds Pro overloaded too; it had no open model to try.
        await h.FailAsync();
        Assert.NotNull(Status(h, Nb2).RestingUntil);

        var result = await h.GenerateAsync();

        // NB2 moves to the back while it rests; Pro's first 503 opens Pro's breaker too (its third failure) and cuts its
        // attempts short; NB2 is skipped. Then, as the call's last chance, what is left of each model's attempts goes
        // through the open breakers in the plan's order: Pro's second attempt, then NB2, which answers.
        Assert.Equal(Nb2, result.Model);
        Assert.Equal(
            [(Pro, AttemptOutcome.Overloaded), (Nb2, AttemptOutcome.CircuitOpen), (Pro, AttemptOutcome.Overloaded), (Nb2, AttemptOutcome.Success)],
            result.Attempts.Select(a => (a.Model, a.Outcome)));
        Assert.Equal(3 + 1, h.Handler.Count(Nb2));
        Assert.Equal(2 + 2, h.Handler.Count(Pro));
        Assert.Null(Status(h, Nb2).RestingUntil); // closed for every call
    }

    [Fact]
    public async Task GenerateAsync_EveryModelDown_NoMoreRequestsThanTheChainsAttempts()
    {
        using var h = Create(tryOpenModels: true);
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Overloaded());
        await h.FailAsync(); // NB2 3 (its breaker opens) + Pro 2
        await h.FailAsync(); // Pro 1 (its third failure opens it); NB2 skipped; then Pro's other attempt and NB2's 3

        var error = await h.FailAsync(); // both rest: both skipped, then both tried through their open breakers: 3 + 2

        // Each call sent what the chain allows (NB2 3, Pro 2), no more.
        Assert.Equal(3 + 3 + 3, h.Handler.Count(Nb2));
        Assert.Equal(2 + 2 + 2, h.Handler.Count(Pro));
        Assert.Equal(5, error.Attempts.Count(a => a.StatusCode == 503));
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task GenerateAsync_ModelCoolingDownAfterA429_IsNeverTriedThroughTheOpenBreakerPass()
    {
        using var h = Create(tryOpenModels: true);
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.RateLimited("600s"));
        await h.FailAsync(); // NB2 3 (breaker opens); Pro's 429 rests it for ten minutes

        await h.FailAsync();

        Assert.Equal(1, h.Handler.Count(Pro));
        Assert.Equal(3 + 3, h.Handler.Count(Nb2));
    }

    [Fact]
    public async Task GenerateAsync_OptionOff_OpenModelIsNotTried()
    {
        using var h = Create(tryOpenModels: false);
        h.Handler.On(Nb2, Replies.Overloaded(), Replies.Overloaded(), Replies.Overloaded(), Replies.Image()).On(Pro, Replies.Overloaded());
        await h.FailAsync();

        await h.FailAsync();

        Assert.Equal(3, h.Handler.Count(Nb2));
        Assert.Equal(2 + 1, h.Handler.Count(Pro));
    }

    private static ModelStatus Status(Harness h, string model) => h.Engine.GetModelStatuses().Single(s => s.Model == model);
}
