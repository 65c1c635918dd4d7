using System.Diagnostics;
using System.Globalization;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Simulation;

/// <summary>One call as the run saw it: when it arrived, whether it got an image and from which model, and how long it took.</summary>
internal readonly record struct CallRecord(DateTimeOffset Arrival, bool Success, string? Model, TimeSpan Latency);

/// <summary>What one strategy did over a period: every call, and what its own simulator served and billed.</summary>
internal sealed record StrategyRun(
    Strategy Strategy,
    CallRecord[] Calls,
    long Requests,
    IReadOnlyDictionary<string, long> BilledImages,
    TimeSpan RealTime);

/// <summary>
/// Runs a strategy over the period's arrivals: a fresh simulator of the same world, all calls concurrent on one virtual
/// clock (a dispatcher waits for each arrival and starts the call without awaiting it), as they would be in production.
/// </summary>
internal static class SimulationRunner
{
    private static readonly string[] Models = [SimulatedModels.NanoBanana2, SimulatedModels.NanoBananaPro];

    public static async Task<StrategyRun> RunAsync(Strategy strategy, SimulationSetup setup, DateTimeOffset[] arrivals, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var clock = new VirtualTimeProvider(SimulationSetup.FirstDay)
        {
            // Continuations run inline on the driver thread (in-memory handler, ConfigureAwait(false)), so no settle time
            // is needed to see them; the few that hop to the pool are always waited for, however loaded the machine is.
            SettleTime = TimeSpan.Zero,
            MaxSettleTime = Timeout.InfiniteTimeSpan,
        };
        using var simulator = new SimulatedGeminiHandler(setup.CreateWorldOptions(), clock);
        using var http = new HttpClient(simulator, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        using var calls = strategy.Prepare(new StrategyContext(clock, simulator, http, setup.Seed));

        var records = new CallRecord[arrivals.Length];
        await clock.RunAsync(
            async () =>
            {
                var running = new Task[arrivals.Length];
                for (var i = 0; i < arrivals.Length; i++)
                {
                    var wait = arrivals[i] - clock.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
                    }

                    running[i] = MeasureAsync(i);
                }

                await Task.WhenAll(running).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

        async Task MeasureAsync(int i)
        {
            var start = clock.GetUtcNow();
            using var deadline = new CancellationTokenSource(SimulationSetup.Deadline, clock);
            CallResult result;
            try
            {
                result = await calls.CallAsync(i, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                result = CallResult.Failed;
            }

            records[i] = new(arrivals[i], result.Success, result.Model, clock.GetUtcNow() - start);
        }

        // A call that ended after its deadline means the clock moved under it: the run's numbers are not the strategy's.
        var late = records.Where(r => r.Latency > SimulationSetup.Deadline).ToList();
        if (late.Count > 0)
        {
            throw new SimulationHarnessException(string.Create(
                CultureInfo.InvariantCulture,
                $"{late.Count} call(s) of '{strategy.Name}' ended after the {SimulationSetup.Deadline.TotalMinutes:0}-minute deadline (the longest took {late.Max(r => r.Latency).TotalSeconds:0.#} s of simulated time): the simulation's clock moved while a call was still working. Its numbers are not reported."));
        }

        // Billed: every image the gateway generated, also one finished after its caller gave up.
        var billed = Models.ToDictionary(m => m, m => simulator.Statistics.GetCount(m, SimulatedOutcome.Success), StringComparer.Ordinal);
        return new StrategyRun(strategy, records, simulator.Statistics.TotalRequests, billed, stopwatch.Elapsed);
    }
}
