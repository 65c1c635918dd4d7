using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Simulation;

/// <summary>
/// The ceiling: a strategy that reads the world's state — which model is inside an overload episode, until when, and
/// how likely a request is to fail now — but not the dice of any one request.
/// </summary>
/// <remarks>
/// <para>
/// It sends one request at the first instant a model is out of its episodes and its fastest answer could still arrive
/// before the deadline, to the model least likely to fail then (the chain's order, Nano Banana 2 first, between equals). A
/// request that fails anyway (the background 1%, or the hour's rate in the noise world) is followed by another by the
/// same rule. When no model recovers in time, it sends to the model least likely to fail, one request after another,
/// up to thirty: inside an episode some requests still get through, and a ceiling must not be beaten by a strategy that
/// happens to send more of them — the library's shared probes keep fishing for three minutes, and beat a budget of ten
/// in 8 of 72 periods of the matrix. Those requests are what
/// its requests-per-success figure pays for; read the oracle's success as the ceiling, not its requests as a floor.
/// </para>
/// <para>No strategy that cannot see the world can do better on success for the requests it sends; the row shows
/// what is left on the table, not a target any real client can reach.</para>
/// </remarks>
internal sealed class OracleStrategy : IStrategyRun
{
    public static readonly Strategy Definition = new(
        "oracle",
        "reads the world's episodes (not the dice): one request at the first instant a model is healthy",
        context => new OracleStrategy(context));

    private const int BlindRequests = 30;
    private static readonly string[] Chain = [SimulatedModels.NanoBanana2, SimulatedModels.NanoBananaPro];
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private readonly StrategyContext _context;
    private readonly Dictionary<string, TimeSpan> _fastestAnswer;

    private OracleStrategy(StrategyContext context)
    {
        _context = context;
        _fastestAnswer = new(StringComparer.Ordinal)
        {
            [SimulatedModels.NanoBanana2] = SimulatedModelProfile.CreateNanoBanana2().Latency["1K"].Minimum,
            [SimulatedModels.NanoBananaPro] = SimulatedModelProfile.CreateNanoBananaPro().Latency["1K"].Minimum,
        };
    }

    public async Task<CallResult> CallAsync(int index, CancellationToken deadline)
    {
        var clock = _context.Clock;
        var end = clock.GetUtcNow() + SimulationSetup.Deadline;
        var blind = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            var (when, model) = NextHealthy(now, end);
            if (model is null)
            {
                if (blind++ == BlindRequests)
                {
                    return CallResult.Failed;
                }

                model = LeastLikelyToFail(now, Chain);
            }
            else if (when > now)
            {
                await Task.Delay(when - now, clock, deadline).ConfigureAwait(false);
            }

            if (await ArticleStrategies.SendAsync(_context, model, deadline).ConfigureAwait(false) == ArticleStrategies.Answer.Image)
            {
                return new(true, model);
            }
        }
    }

    public void Dispose()
    {
    }

    /// <summary>The first instant (on a one-second grid) a model is out of its episodes with time left for its fastest answer.</summary>
    private (DateTimeOffset When, string? Model) NextHealthy(DateTimeOffset now, DateTimeOffset end)
    {
        for (var t = now; t < end; t += Step)
        {
            var healthy = Chain.Where(m => !_context.Simulator.IsOverloaded(m, t) && t + _fastestAnswer[m] <= end).ToList();
            if (healthy.Count > 0)
            {
                return (t, LeastLikelyToFail(t, healthy));
            }
        }

        return (end, null);
    }

    private string LeastLikelyToFail(DateTimeOffset time, IEnumerable<string> models)
        => models.MinBy(m => _context.Simulator.GetOverloadProbability(m, time))!;
}
