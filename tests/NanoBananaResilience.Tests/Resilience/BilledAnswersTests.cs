using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>A 200 without an image is billed: a call never asks the same model for another one while it waits for others.</summary>
public class BilledAnswersTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;
    private const string TextOnly = """{"choices":[{"message":{"role":"assistant","content":"Here is your image description."},"finish_reason":"stop"}]}""";

    [Fact]
    public async Task GenerateAsync_Nb2DownAndProAnswersWithoutImages_ProIsBilledOnceNotOncePerProbeRound()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Overloaded()).On(Pro, Replies.Json(200, TextOnly));
        await h.FailAsync(); // NB2's three 503s open its breaker; Pro answers without an image

        var error = await h.FailAsync();

        // The second call: NB2 rests, Pro answers text only (billed) — then waiting for NB2 to reopen and probing it
        // may go on, but Pro, which already answered, is not asked again for another billed answer.
        Assert.Equal(AttemptOutcome.NoImage, error.Attempts.Last(a => a.Model == Pro).Outcome);
        Assert.Equal(1, error.Attempts.Count(a => a.Model == Pro && a.Outcome == AttemptOutcome.NoImage));
        Assert.Equal(2, h.Handler.Count(Pro));
    }
    [Fact]
    public async Task GenerateAsync_EveryModelAnswersWithoutImages_FailsAfterOneBilledAnswerEachWithoutWaiting()
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Json(200, TextOnly)).On(Pro, Replies.Json(200, TextOnly));

        var error = await h.FailAsync();

        // A gateway that strips images strips them every time: one billed answer per model, then the call ends.
        Assert.Equal(AttemptOutcome.NoImage, error.Outcome);
        Assert.Equal(1, h.Handler.Count(Nb2));
        Assert.Equal(1, h.Handler.Count(Pro));
        Assert.DoesNotContain(error.Attempts, a => a.WaitReason == WaitReason.BreakerReopen);
    }
}
