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
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args, model, options, route, timeProvider, random, throughDown)),

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
    /// Decides whether to try the same model again, and how long to wait first. A wait longer than
    /// <c>Retry:MaxRetryAfter</c> or past the call's deadline means "move on now", never a long sleep.
    /// </summary>
    private static bool ShouldRetry(
        RetryPredicateArguments<AttemptResult> args,
        ModelOptions model,
        NanoBananaOptions options,
        RouteContext route,
        TimeProvider timeProvider,
        Func<double> random,
        bool throughDown)
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

        // Through a down model a call spends what is left of its attempts: the judgement that came mid-call cut them
        // short, and the pass must not give the model more than the chain allows.
        if ((throughDown ? call.SentTo(call.Route) : args.AttemptNumber + 1) >= model.MaxAttempts)
        {
            call.MoveOnReason = $"all {model.MaxAttempts} attempts on this model used";
            return false;
        }

        // A gateway that could not be reached is not asked again while another gateway serves the model.
        if (route.HasOtherGateways && result.StatusCode is null)
        {
            call.MoveOnReason = "the gateway could not be reached; another gateway serves the model";
            return false;
        }

        var now = timeProvider.GetUtcNow();
        var health = route.Health;
        if (route.Reachability?.IsResting(now) == true)
        {
            call.MoveOnReason = "its gateway is resting (unreachable, or its key was refused)";
            return false;
        }

        if (throughDown ? health.IsCoolingDown(now) : health.IsResting(now))
        {
            call.MoveOnReason = !throughDown && health.IsDown ? "it was judged down (an outage)" : "the server asked to wait";
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
