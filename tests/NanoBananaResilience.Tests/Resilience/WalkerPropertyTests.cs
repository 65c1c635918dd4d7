using FsCheck;
using FsCheck.Fluent;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>
/// Properties of the walk over any script of answers, on one gateway or two: what each server saw is what the trail
/// says, no call sends a route more than its model's attempts (through an open breaker or not), and nothing is sent
/// after a terminal answer (nor to a gateway after it refused the key).
/// </summary>
public class WalkerPropertyTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;
    private static readonly Config Run = Config.QuickThrowOnFailure.WithMaxTest(120).WithQuietOnSuccess(true);

    private static readonly AttemptOutcome[] Terminal = [AttemptOutcome.ContentBlocked, AttemptOutcome.Unauthorized, AttemptOutcome.PaymentRequired, AttemptOutcome.BadRequest];

    /// <summary>The kinds of answer a script is made of.</summary>
    public enum Answer
    {
        Image,
        Overloaded,
        ServerError,
        RateLimited,
        NoImage,
        SafetyBlock,
        BadRequest,
        Unauthorized,
    }

    // Overloads are the common answer, as on a bad day; every other kind is as likely as the rest.
    private static readonly Gen<Answer> AnyAnswer = Gen.Frequency((3, Gen.Constant(Answer.Overloaded)), (2, Gen.Elements(Enum.GetValues<Answer>())));

    private static readonly Gen<(Answer[] Nb2, Answer[] Pro, int Nb2Attempts, int ProAttempts, bool Peak, bool TryOpenModels, int Calls)> Cases =
        from nb2Length in Gen.Choose(1, 8)
        from nb2 in Gen.ArrayOf(AnyAnswer, nb2Length)
        from proLength in Gen.Choose(1, 8)
        from pro in Gen.ArrayOf(AnyAnswer, proLength)
        from nb2Attempts in Gen.Choose(1, 4)
        from proAttempts in Gen.Choose(1, 4)
        from peak in Gen.Elements(false, true)
        from tryOpen in Gen.Elements(false, true)
        from calls in Gen.Choose(1, 4)
        select (nb2, pro, nb2Attempts, proAttempts, peak, tryOpen, calls);

    [Fact]
    public void GenerateAsync_AnyScript_TrailMatchesTheServerAndNoModelGetsMoreThanItsAttempts()
    {
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            using var h = Harness.Create(
                o =>
                {
                    o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = c.Nb2Attempts });
                    o.Models.Add(new ModelOptions { Id = Pro, MaxAttempts = c.ProAttempts });
                    o.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
                    o.Retry.MaxDelay = TimeSpan.FromMilliseconds(40);
                    o.CircuitBreaker.WaitForReopen = false;
                    o.CircuitBreaker.StrandedCallsTryOpenModels = c.TryOpenModels;
                },
                start: c.Peak ? Harness.OffPeak.AddHours(9) : Harness.OffPeak);
            h.Handler.On(Nb2, [.. c.Nb2.Select(Script)]).On(Pro, [.. c.Pro.Select(Script)]);

            for (var i = 0; i < c.Calls; i++)
            {
                var (before, beforePro) = (h.Handler.Count(Nb2), h.Handler.Count(Pro));
                IReadOnlyList<AttemptRecord> trail;
                try
                {
                    var result = h.Generate();
                    trail = result.Attempts;
                    Assert.Equal(AttemptOutcome.Success, trail[^1].Outcome);
                    Assert.Equal(trail[^1].Model, result.Model);
                }
                catch (NanoBananaException e)
                {
                    trail = e.Attempts;
                    Assert.NotEqual(AttemptOutcome.Success, e.Outcome);
                }

                var sent = trail.Where(a => a.Outcome is not (AttemptOutcome.CircuitOpen or AttemptOutcome.BudgetExceeded)).ToList();

                // What the server saw is what the trail says.
                Assert.Equal(h.Handler.Count(Nb2) - before, sent.Count(a => a.Model == Nb2));
                Assert.Equal(h.Handler.Count(Pro) - beforePro, sent.Count(a => a.Model == Pro));

                // No model gets more than its attempts in one call, through an open breaker or not.
                Assert.True(sent.Count(a => a.Model == Nb2) <= c.Nb2Attempts);
                Assert.True(sent.Count(a => a.Model == Pro) <= c.ProAttempts);

                // A terminal answer is the last thing sent.
                var terminal = sent.FindIndex(a => Terminal.Contains(a.Outcome));
                Assert.True(terminal < 0 || terminal == sent.Count - 1, $"sent after a terminal answer: {string.Join(", ", sent.Select(a => $"{a.Model}:{a.Outcome}"))}");
            }

            h.Handler.AssertAllResponsesDisposed();
        }).Check(Run);
    }

    private static readonly Gen<Answer[]> AnyScript = from length in Gen.Choose(1, 6) from answers in Gen.ArrayOf(AnyAnswer, length) select answers;

    private static readonly Gen<(Answer[][] Scripts, bool[] Unreachable, int Nb2Attempts, int ProAttempts, bool Weighted, int Calls)> GatewayCases =
        from scripts in Gen.ArrayOf(AnyScript, 4)
        from unreachable in Gen.ArrayOf(Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true))), 2)
        from nb2Attempts in Gen.Choose(1, 3)
        from proAttempts in Gen.Choose(1, 3)
        from weighted in Gen.Elements(false, true)
        from calls in Gen.Choose(1, 4)
        select (scripts, unreachable, nb2Attempts, proAttempts, weighted, calls);

    [Fact]
    public void GenerateAsync_AnyScriptOnTwoGateways_TrailMatchesEachGatewayAndNoRouteGetsMoreThanItsAttempts()
    {
        Prop.ForAll(GatewayCases.ToArbitrary(), c =>
        {
            using var g = Routing.TwoGateways.Create(o =>
            {
                o.Models.Add(new ModelOptions { Id = Nb2, MaxAttempts = c.Nb2Attempts });
                o.Models.Add(new ModelOptions { Id = Pro, MaxAttempts = c.ProAttempts });
                o.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
                o.Retry.MaxDelay = TimeSpan.FromMilliseconds(40);
                o.GatewaySelection = c.Weighted ? GatewaySelection.Weighted : GatewaySelection.Ordered;
            });
            var handlers = new[] { ("primary", g.Primary), ("backup", g.Backup) };
            for (var i = 0; i < 2; i++)
            {
                // A gateway that cannot be reached fails every request before any status.
                var (nb2, pro) = c.Unreachable[i]
                    ? ([Replies.Throw(new HttpRequestException("Connection refused"))], [Replies.Throw(new HttpRequestException("Connection refused"))])
                    : (c.Scripts[2 * i].Select(Script).ToArray(), c.Scripts[(2 * i) + 1].Select(Script).ToArray());
                handlers[i].Item2.On(Nb2, nb2).On(Pro, pro);
            }

            for (var call = 0; call < c.Calls; call++)
            {
                var before = handlers.Select(h => (h.Item2.Count(Nb2), h.Item2.Count(Pro))).ToArray();
                IReadOnlyList<AttemptRecord> trail;
                try
                {
                    var result = g.Generate();
                    trail = result.Attempts;
                    Assert.Equal((trail[^1].Model, trail[^1].Gateway), (result.Model, result.Gateway));
                }
                catch (NanoBananaException e)
                {
                    trail = e.Attempts;
                    Assert.Equal(e.Gateway, trail.Count > 0 ? trail[^1].Gateway : null);
                }

                var sent = trail.Where(a => a.Outcome is not (AttemptOutcome.CircuitOpen or AttemptOutcome.BudgetExceeded)).ToList();
                for (var i = 0; i < 2; i++)
                {
                    var (name, handler) = handlers[i];

                    // What each gateway saw is what the trail says of it.
                    Assert.Equal(handler.Count(Nb2) - before[i].Item1, sent.Count(a => a.Gateway == name && a.Model == Nb2));
                    Assert.Equal(handler.Count(Pro) - before[i].Item2, sent.Count(a => a.Gateway == name && a.Model == Pro));

                    // No route gets more than its model's attempts in one call.
                    Assert.True(sent.Count(a => a.Gateway == name && a.Model == Nb2) <= c.Nb2Attempts);
                    Assert.True(sent.Count(a => a.Gateway == name && a.Model == Pro) <= c.ProAttempts);

                    // A gateway that refused the key gets nothing more in the call.
                    var refused = sent.FindIndex(a => a.Gateway == name && a.Outcome == AttemptOutcome.Unauthorized);
                    Assert.True(refused < 0 || !sent.Skip(refused + 1).Any(a => a.Gateway == name), $"sent to {name} after it refused the key");
                }

                // A request the prompt itself made fail (blocked, rejected) is the last thing sent.
                var terminal = sent.FindIndex(a => a.Outcome is AttemptOutcome.ContentBlocked or AttemptOutcome.BadRequest);
                Assert.True(terminal < 0 || terminal == sent.Count - 1, $"sent after a terminal answer: {string.Join(", ", sent.Select(a => $"{a.Model}@{a.Gateway}:{a.Outcome}"))}");
            }

            g.Primary.AssertAllResponsesDisposed();
            g.Backup.AssertAllResponsesDisposed();
        }).Check(Run);
    }

    private static Reply Script(Answer answer) => answer switch
    {
        Answer.Image => Replies.Image(),
        Answer.Overloaded => Replies.Overloaded(),
        Answer.ServerError => Replies.Fixture(500, "google-500-internal.json"),
        Answer.RateLimited => Replies.RateLimited("2s"),
        Answer.NoImage => Replies.Json(200, """{"choices":[{"message":{"role":"assistant","content":"No image this time."},"finish_reason":"stop"}]}"""),
        Answer.SafetyBlock => Replies.Fixture(200, "google-native-image-safety.json"),
        Answer.BadRequest => Replies.Json(400, """{"error":{"code":400,"message":"Invalid value at 'contents'.","status":"INVALID_ARGUMENT"}}"""),
        _ => Replies.Fixture(401, "openai-style-error-401.json"),
    };
}
