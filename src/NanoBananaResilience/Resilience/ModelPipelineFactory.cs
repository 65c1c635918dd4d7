using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace NanoBananaResilience;

/// <summary>
/// Builds one route's Polly pipeline: retry → attempt timeout, around a whole attempt (send and body). Built once per
/// route and shared by every call. Whether the route is up is not the pipeline's business: <see cref="ModelHealth"/>
/// owns it, and the retry predicate reads it.
/// </summary>
internal static class ModelPipelineFactory
{
    public static readonly ResiliencePropertyKey<CallState> CallKey = new("NanoBanana.Call");

    // The instance name is a tag of Polly's metrics, so it is the model's key (ModelKeys), never a raw caller-chosen id,
    // with the gateway's configured name when there are named gateways.

    /// <summary>
    /// The pipeline of a model's run within a call. <paramref name="throughDown"/>: the run of a stranded call that
    /// spends a down model's attempts (<see cref="CircuitBreakerOptions.StrandedCallsTryOpenModels"/>), whose retries
    /// are stopped by a server's cooldown (a 429 hint, a daily quota), not by the outage the call already knows about.
    /// </summary>
    public static ResiliencePipeline<AttemptResult> Create(
        ModelOptions model,
        string instanceName,
        NanoBananaOptions options,
        RouteContext route,
        TimeProvider timeProvider,
        Func<double> random,
        ILoggerFactory loggerFactory,
        bool throughDown = false)
    {
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
                // Decided once per attempt, as a value the call keeps; the delay generator and the retry callback read it.
                ShouldHandle = args =>
                {
                    var call = args.Context.Properties.GetValue(CallKey, null!);
                    call.Decision = Decide(args.Outcome.Result, args.AttemptNumber, call, model, options, route, timeProvider, random, throughDown);
                    return new ValueTask<bool>(call.Decision.Retry);
                },

                // The delay was decided (and bounded) with the verdict; Polly's MaxDelay would not cap a generator anyway.
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Context.Properties.GetValue(CallKey, null!).Decision.Delay),
                OnRetry = args =>
                {
                    var call = args.Context.Properties.GetValue(CallKey, null!);
                    var reason = call.Decision.Reason;
                    if (call.Commit(AttemptDecision.Retry, args.RetryDelay, reason, $"waiting {args.RetryDelay.TotalMilliseconds:0} ms ({reason}), then the same model again") is { } record)
                    {
                        route.Telemetry.Recorded(record);
                    }

                    return default;
                },
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout });
        builder.ConfigureTelemetry(loggerFactory);
        return builder.Build();
    }

    /// <summary>
    /// The pipeline of a probe of a down model: the attempt timeout alone. One request, no retry; its outcome tells the
    /// model's health whether the outage is over.
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

    /// <summary>
    /// Decides whether to try the same route again, and how long to wait first: a value, computed once per attempt. A
    /// wait longer than <c>Retry:MaxRetryAfter</c> or past the call's deadline means "move on now", never a long sleep.
    /// </summary>
    internal static RetryDecision Decide(
        AttemptResult? result,
        int attemptNumber,
        CallState call,
        ModelOptions model,
        NanoBananaOptions options,
        RouteContext route,
        TimeProvider timeProvider,
        Func<double> random,
        bool throughDown)
    {
        if (result is null)
        {
            return RetryDecision.MoveOn(); // timeouts move on; cancellation ends the call
        }

        // A protocol error (an answer the reader could not make sense of) is worth one more try on a route, not all.
        var retryable = result.Outcome is AttemptOutcome.Overloaded or AttemptOutcome.ServerError
            || (result.Outcome == AttemptOutcome.ProtocolError && call.ProtocolErrorsOn(call.Route) == 1);
        if (!retryable)
        {
            return RetryDecision.MoveOn();
        }

        // Through a down model a call spends what is left of its attempts: the judgement that came mid-call cut them
        // short, and the pass must not give the model more than the chain allows.
        if ((throughDown ? call.SentTo(call.Route) : attemptNumber + 1) >= model.MaxAttempts)
        {
            return RetryDecision.MoveOn($"all {model.MaxAttempts} attempts on this model used");
        }

        // A gateway that could not be reached is not asked again while another gateway serves the model.
        if (route.HasOtherGateways && result.StatusCode is null)
        {
            return RetryDecision.MoveOn("the gateway could not be reached; another gateway serves the model");
        }

        var now = timeProvider.GetUtcNow();
        var health = route.Health;
        if (route.Reachability?.IsResting(now) == true)
        {
            return RetryDecision.MoveOn("its gateway is resting (unreachable, or its key was refused)");
        }

        if (throughDown ? health.IsCoolingDown(now) : health.IsResting(now))
        {
            return RetryDecision.MoveOn(!throughDown && health.IsDown ? "it was judged down (an outage)" : "the server asked to wait");
        }

        TimeSpan delay;
        WaitReason reason;
        if (result.Classification.Hint is { } hint)
        {
            if (hint.Delay > options.Retry.MaxRetryAfter)
            {
                return RetryDecision.MoveOn($"the server asked to wait {hint.Delay}, longer than Retry:MaxRetryAfter ({options.Retry.MaxRetryAfter})");
            }

            (delay, reason) = (hint.Delay, hint.Source);
        }
        else
        {
            (delay, reason) = (Backoff.Compute(options.Retry, attemptNumber, random), WaitReason.Backoff);
        }

        return now + delay >= call.Deadline
            ? RetryDecision.MoveOn($"waiting {delay} would pass the call's deadline")
            : RetryDecision.WaitThenRetry(delay, reason);
    }
}

/// <summary>
/// The retry predicate's verdict on one attempt: wait <see cref="Delay"/> (for <see cref="Reason"/>) and try the same
/// route again, or move on, with <see cref="MoveOnReason"/> for the trail when there is more to say than the outcome.
/// </summary>
internal readonly record struct RetryDecision(TimeSpan? Delay, WaitReason Reason, string? MoveOnReason)
{
    public bool Retry => Delay is not null;

    public static RetryDecision MoveOn(string? why = null) => new(null, WaitReason.None, why);

    public static RetryDecision WaitThenRetry(TimeSpan delay, WaitReason reason) => new(delay, reason, null);
}
