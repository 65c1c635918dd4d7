using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace NanoBananaResilience;

/// <summary>
/// Builds one model's Polly pipeline: retry → circuit breaker → attempt timeout, around a whole attempt
/// (send and body). Built once per model and shared by every call, so the breaker sees all traffic.
/// </summary>
internal static class ModelPipelineFactory
{
    public static readonly ResiliencePropertyKey<CallState> CallKey = new("NanoBanana.Call");

    // The instance name is a tag of Polly's metrics, so it is the model's key (ModelKeys), never a raw caller-chosen id.

    public static ResiliencePipeline<AttemptResult> Create(
        ModelOptions model,
        string instanceName,
        NanoBananaOptions options,
        ModelHealth health,
        CircuitBreakerManualControl manualControl,
        TimeProvider timeProvider,
        Func<double> random,
        ILoggerFactory loggerFactory)
        => Create(model, instanceName, options, health, manualControl, timeProvider, random, loggerFactory, throughOpenBreaker: false);

    /// <summary>
    /// The same pipeline without the breaker, for a stranded call that spends a model's attempts although its breaker is
    /// open (<see cref="CircuitBreakerOptions.StrandedCallsTryOpenModels"/>): retries are stopped by a server's cooldown
    /// (a 429 hint, a daily quota), not by the open breaker the call already knows about.
    /// </summary>
    public static ResiliencePipeline<AttemptResult> CreateThroughOpenBreaker(
        ModelOptions model,
        string instanceName,
        NanoBananaOptions options,
        ModelHealth health,
        TimeProvider timeProvider,
        Func<double> random,
        ILoggerFactory loggerFactory)
        => Create(model, instanceName, options, health, manualControl: null, timeProvider, random, loggerFactory, throughOpenBreaker: true);

    private static ResiliencePipeline<AttemptResult> Create(
        ModelOptions model,
        string instanceName,
        NanoBananaOptions options,
        ModelHealth health,
        CircuitBreakerManualControl? manualControl,
        TimeProvider timeProvider,
        Func<double> random,
        ILoggerFactory loggerFactory,
        bool throughOpenBreaker)
    {
        var logger = loggerFactory.CreateLogger("NanoBananaResilience");
        var builder = new ResiliencePipelineBuilder<AttemptResult>
        {
            Name = NanoBananaDiagnostics.PipelineName,
            InstanceName = instanceName,
            TimeProvider = timeProvider,
        };

        if (model.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptResult>
            {
                MaxRetryAttempts = model.MaxAttempts - 1,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args, model, options, health, timeProvider, random, throughOpenBreaker)),

                // The delay was decided (and bounded) in ShouldRetry; Polly's MaxDelay would not cap a generator anyway.
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Context.Properties.GetValue(CallKey, null!).PlannedWait.Delay),
                OnRetry = args =>
                {
                    var call = args.Context.Properties.GetValue(CallKey, null!);
                    var record = call.Commit(AttemptDecision.Retry, args.RetryDelay, call.PlannedWait.Reason, $"waiting {args.RetryDelay.TotalMilliseconds:0} ms ({call.PlannedWait.Reason}), then the same model again");
                    if (record is not null)
                    {
                        Log.AttemptFinished(logger, record.Model, record.Outcome, record.StatusCode, (long)record.Elapsed.TotalMilliseconds, record.Decision, record.Detail);
                    }

                    return default;
                },
            });
        }

        if (options.CircuitBreaker.Enabled && !throughOpenBreaker)
        {
            var breaker = options.CircuitBreaker;
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptResult>
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = health.StateProvider,
                ManualControl = manualControl,
                ShouldHandle = args => new ValueTask<bool>(IsBreakerFailure(args.Outcome)),
                BreakDurationGenerator = args => new ValueTask<TimeSpan>(BreakFor(breaker, health.ConsecutiveTrips)),
                OnOpened = args =>
                {
                    var now = timeProvider.GetUtcNow();
                    health.Opened(now + args.BreakDuration, now + breaker.ProbeInterval);
                    Log.BreakerOpened(logger, model.Id, args.BreakDuration);
                    health.Changed();
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    health.Changed();
                    return default;
                },
                OnClosed = _ =>
                {
                    health.Closed();
                    Log.BreakerClosed(logger, model.Id);
                    health.Changed();
                    return default;
                },
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout });
        builder.ConfigureTelemetry(loggerFactory);
        return builder.Build();
    }

    /// <summary>
    /// The pipeline for a stranded call's probe through an open breaker: the attempt timeout alone. One request, no
    /// retry, and it bypasses the breaker (that is its point); a success closes the breaker by its manual control.
    /// </summary>
    public static ResiliencePipeline<AttemptResult> CreateProbe(string instanceName, NanoBananaOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
        => new ResiliencePipelineBuilder<AttemptResult>
        {
            Name = NanoBananaDiagnostics.PipelineName + ".Probe",
            InstanceName = instanceName,
            TimeProvider = timeProvider,
        }
        .AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout })
        .ConfigureTelemetry(loggerFactory)
        .Build();

    /// <summary>A break doubles with each trip that was not followed by a success, up to the cap.</summary>
    internal static TimeSpan BreakFor(CircuitBreakerOptions breaker, int previousTrips)
    {
        var milliseconds = breaker.BreakDuration.TotalMilliseconds * Math.Pow(2, Math.Min(previousTrips, 20));
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, breaker.MaxBreakDuration.TotalMilliseconds));
    }

    private static bool IsBreakerFailure(Outcome<AttemptResult> outcome)
        => outcome.Exception is TimeoutRejectedException
            || outcome.Result?.Outcome is AttemptOutcome.Overloaded or AttemptOutcome.RateLimited or AttemptOutcome.QuotaExhausted or AttemptOutcome.Timeout;

    /// <summary>
    /// Decides whether to try the same model again, and how long to wait first. A wait longer than
    /// <c>Retry:MaxRetryAfter</c> or past the call's deadline means "move on now", never a long sleep.
    /// </summary>
    private static bool ShouldRetry(
        RetryPredicateArguments<AttemptResult> args,
        ModelOptions model,
        NanoBananaOptions options,
        ModelHealth health,
        TimeProvider timeProvider,
        Func<double> random,
        bool throughOpenBreaker)
    {
        var call = args.Context.Properties.GetValue(CallKey, null!);
        call.MoveOnReason = null;
        if (args.Outcome.Result is not { } result)
        {
            return false; // timeouts and open breakers move on; cancellation ends the call
        }

        var retryable = result.Outcome is AttemptOutcome.Overloaded or AttemptOutcome.ServerError
            || (result.Outcome == AttemptOutcome.ProtocolError && call.ProtocolRetriesOnModel == 0);
        if (!retryable)
        {
            return false;
        }

        // Through an open breaker a call spends what is left of the model's attempts: a breaker that opened mid-call
        // cut them short, and the pass must not give the model more than the chain allows.
        if ((throughOpenBreaker ? call.SentTo(model.Id) : args.AttemptNumber + 1) >= model.MaxAttempts)
        {
            call.MoveOnReason = $"all {model.MaxAttempts} attempts on this model used";
            return false;
        }

        var now = timeProvider.GetUtcNow();
        if (throughOpenBreaker ? health.IsCoolingDown(now) : health.IsResting(now))
        {
            call.MoveOnReason = throughOpenBreaker ? "the server asked to wait" : "its breaker opened";
            return false;
        }

        TimeSpan delay;
        WaitReason reason;
        if (result.Classification.Hint is { } hint)
        {
            if (hint.Delay > options.Retry.MaxRetryAfter)
            {
                call.MoveOnReason = $"the server asked to wait {hint.Delay}, longer than Retry:MaxRetryAfter ({options.Retry.MaxRetryAfter})";
                return false;
            }

            (delay, reason) = (hint.Delay, hint.Source);
        }
        else
        {
            (delay, reason) = (Backoff.Compute(options.Retry, args.AttemptNumber, random), WaitReason.Backoff);
        }

        if (now + delay >= call.Deadline)
        {
            call.MoveOnReason = $"waiting {delay} would pass the call's deadline";
            return false;
        }

        if (result.Outcome == AttemptOutcome.ProtocolError)
        {
            call.ProtocolRetriesOnModel++;
        }

        call.PlannedWait = (delay, reason);
        return true;
    }
}
