using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>A stranded call waits while an answer can still arrive: the deadline less the slowest recent answer, not less AttemptTimeout.</summary>
public class WaitingByEvidenceTests
{
    private const string Nb2 = Harness.Nb2;

    private static Harness Create() => Harness.Create(o =>
    {
        o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = 3 });
        o.TotalTimeout = TimeSpan.FromMinutes(5);
        o.AttemptTimeout = TimeSpan.FromMinutes(2);
        o.CircuitBreaker.WaitForReopen = true;
        o.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
        o.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
    });

    [Fact]
    public async Task GenerateAsync_ModelAnsweredQuicklyBefore_WaitsForAReopenLaterThanDeadlineLessAttemptTimeout()
    {
        using var h = Create();
        h.Handler.On(Nb2, Replies.Image(), Replies.RateLimited("240s"), Replies.Image());
        await h.GenerateAsync(); // an answer in well under a second: that is what the model takes lately

        var started = h.Time.GetUtcNow();
        var result = await h.GenerateAsync(step: TimeSpan.FromSeconds(1));

        // A 429 asking for four minutes: past deadline − AttemptTimeout (three minutes in), but an answer takes under a
        // second, so waiting still pays; after the cooldown NB2 answers.
        Assert.Equal(Nb2, result.Model);
        Assert.Contains(result.Attempts, a => a.WaitReason == WaitReason.BreakerReopen);
        Assert.InRange(h.Time.GetUtcNow() - started, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Equal(3, h.Handler.Count(Nb2));
    }

    [Fact]
    public async Task GenerateAsync_NoAnswerSeenYet_StillLeavesAttemptTimeoutBeforeTheDeadline()
    {
        using var h = Create();
        h.Handler.On(Nb2, Replies.RateLimited("240s"), Replies.Image());

        var error = await h.FailAsync(step: TimeSpan.FromSeconds(1));

        // Nothing says how long an answer takes: a cooldown four minutes long ends past deadline − AttemptTimeout.
        Assert.DoesNotContain(error.Attempts, a => a.WaitReason == WaitReason.BreakerReopen);
        Assert.Equal(1, h.Handler.Count(Nb2));
    }
}
