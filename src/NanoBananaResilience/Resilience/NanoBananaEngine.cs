using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Timeout;

namespace NanoBananaResilience;

/// <summary>
/// The walker behind every client of one configuration: it plans the order of models for a call, tries each model on
/// its routes (the gateways that serve it), runs each route's pipeline, and decides by the classification table
/// whether to move on or stop. One instance per configuration (a singleton in DI), so the routes' health and
/// cooldowns see all traffic. Routes live in <see cref="RouteRegistry"/>, signals go out through
/// <see cref="CallTelemetry"/>, results are built by <see cref="ResultBuilder"/>.
/// </summary>
internal sealed class NanoBananaEngine : IDisposable
{
    private readonly NanoBananaOptions _options;
    private readonly IReadOnlyList<ModelOptions> _chain;
    private readonly PeakWindow _peak;
    private readonly TimeProvider _timeProvider;
    private readonly NanoBananaMetrics _metrics;
    private readonly CallTelemetry _telemetry;
    private readonly CostLedger _costs;
    private readonly BudgetGuard _budget;
    private readonly RouteRegistry _routes;
    private readonly AdaptiveChainOrder? _adaptive;

    public NanoBananaEngine(
        NanoBananaOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null,
        Func<double>? random = null,
        INanoBananaSharedState? sharedState = null)
    {
        var errors = NanoBananaOptionsValidator.Collect(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid NanoBanana options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _chain = options.GetEffectiveModels();
        _peak = PeakWindow.From(options.PeakHours);
        _timeProvider = timeProvider ?? TimeProvider.System;
        Schedule = new NanoBananaSchedule(_timeProvider, _peak.Enabled, _peak.Start, _peak.End);
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("NanoBananaResilience");
        random ??= options.Retry.Randomizer ?? Random.Shared.NextDouble;
        var keys = new ModelKeys(_chain.Select(m => m.Id));
        _metrics = new NanoBananaMetrics(meterFactory);
        _telemetry = new CallTelemetry(_metrics, logger, keys);
        _routes = new RouteRegistry(options, _chain, keys, _telemetry, _timeProvider, random, loggerFactory, sharedState);
        _adaptive = options.PeakHours.Mode == PeakHoursMode.Adaptive ? new AdaptiveChainOrder(_routes, random) : null;
        _costs = new CostLedger(options.Budget.Period, _timeProvider, keys);
        _budget = new BudgetGuard(options.Budget, _costs, sharedState);
        Downloader = options.ImageDownload.Enabled ? new ImageDownloader(options.ImageDownload, _timeProvider) : null;
    }

    public IReadOnlyList<ModelOptions> Chain => _chain;

    public TimeProvider TimeProvider => _timeProvider;

    public INanoBananaCostMeter Costs => _costs;

    public NanoBananaSchedule Schedule { get; }

    /// <summary>Fetches image addresses found in answers; <see langword="null"/> unless ImageDownload is enabled.</summary>
    public ImageDownloader? Downloader { get; }

    /// <summary>Each route's state and when it may be tried again, for health checks; a resting gateway rests its routes.</summary>
    public IReadOnlyList<ModelStatus> GetModelStatuses()
    {
        var now = _timeProvider.GetUtcNow();
        return [.. _routes.All.Select(route =>
        {
            var state = route.Health.State(now);
            if (state == ModelBreakerState.Closed && route.Gateway.Reachability?.State(now) is { } gateway)
            {
                state = gateway;
            }

            return new ModelStatus(route.ModelId, state, route.RestingUntil(now), route.Gateway.Name);
        })];
    }

    public async Task<NanoBananaResult> GenerateAsync(HttpClient http, NanoBananaRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _timeProvider.GetTimestamp();
        var now = _timeProvider.GetUtcNow();
        using var totalTimeout = new CancellationTokenSource(_options.TotalTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, totalTimeout.Token);
        var call = new CallState(request, now + _options.TotalTimeout, cancellationToken);
        using var activity = _telemetry.Start(request);
        try
        {
            var result = await WalkAsync(http, call, linked.Token).ConfigureAwait(false);
            _telemetry.Succeeded(activity, result);
            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && totalTimeout.IsCancellationRequested)
        {
            call.Commit(AttemptDecision.Stop, why: "the call's TotalTimeout passed");
            throw Fail(call, AttemptOutcome.Timeout, $"No image within the call's TotalTimeout ({_options.TotalTimeout}).", activity);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _telemetry.Cancelled(activity);
            throw new OperationCanceledException("The call was cancelled by the caller.", null, cancellationToken);
        }
        finally
        {
            _telemetry.Ended(_timeProvider.GetElapsedTime(started));
        }
    }

    private async Task<NanoBananaResult> WalkAsync(HttpClient http, CallState call, CancellationToken cancellationToken)
    {
        var chain = call.Request.Model is { } only ? [_chain.FirstOrDefault(m => m.Id == only) ?? new ModelOptions { Id = only, MaxAttempts = 1 }] : _chain;
        for (var round = 0; ; round++)
        {
            var now = _timeProvider.GetUtcNow();
            // Adaptive: the learned order replaces the clock's reversal (the clock is its prior, inside AdaptiveChainOrder).
            var plan = _adaptive is null
                ? ChainPlanner.Plan(chain, _peak, now, id => _routes.IsResting(id, now))
                : ChainPlanner.Plan(_adaptive.Order(chain, now), PeakWindow.Off, now, id => _routes.IsResting(id, now));
            _telemetry.Planned(plan, _adaptive is null ? (_peak.Contains(now) ? " (peak window: chain reversed)" : string.Empty) : " (adaptive order)");
            foreach (var model in plan)
            {
                foreach (var route in _routes.Order(model))
                {
                    if (round > 0 && call.AnsweredWithoutImage(route))
                    {
                        continue;
                    }

                    now = _timeProvider.GetUtcNow();
                    var pass = await route.AdmitAsync(now, cancellationToken).ConfigureAwait(false);
                    if (pass.IsSkip)
                    {
                        if (round == 0)
                        {
                            // Later rounds skip silently: the wait records already say that every route rests.
                            Skip(call, route, now);
                        }

                        continue;
                    }

                    var result = await TryRouteAsync(http, call, route, pass, cancellationToken).ConfigureAwait(false);
                    if (result is not null)
                    {
                        return result;
                    }
                }
            }

            if (round == 0 && await TryDownRoutesAsync(http, plan, call, cancellationToken).ConfigureAwait(false) is { } fished)
            {
                return fished;
            }

            await StrandedAsync(chain, call, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one route for the call as admitted: its pipeline with retries, or one probe request. The budget comes
    /// first; a probe slot that is not used (refused, cancelled) is handed back for another call.
    /// </summary>
    private async Task<NanoBananaResult?> TryRouteAsync(HttpClient http, CallState call, Route route, RoutePass pass, CancellationToken cancellationToken)
    {
        var sent = false;
        try
        {
            using var reservation = await TryReserveAsync(call, route, cancellationToken).ConfigureAwait(false);
            if (reservation is null)
            {
                return null;
            }

            if (pass.IsProbe)
            {
                _telemetry.Probing(route);
            }

            sent = true;
            var pipeline = pass.IsProbe ? route.ProbePipeline : route.Pipeline;
            var result = await RunRouteAsync(http, call, route, pipeline, pass, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                reservation.Settle(result);
            }

            return result;
        }
        finally
        {
            if (!sent)
            {
                route.Release(pass);
            }
        }
    }

    /// <summary>
    /// Every route failed or rests, once per call: spends what is left of the attempts of the routes that only their
    /// model's outage keeps off (<see cref="CircuitBreakerOptions.StrandedCallsTryOpenModels"/>) — skipped, or cut
    /// short when judged down mid-call — in the plan's order, before the call waits or fails. A stranded call so sends
    /// what the chain's attempts allow, as if no route had been judged down, and never more; never past a server's
    /// cooldown or through an unreachable gateway. A success marks that route up for every call. Returns the image, or null.
    /// </summary>
    private async Task<NanoBananaResult?> TryDownRoutesAsync(HttpClient http, IReadOnlyList<ModelOptions> plan, CallState call, CancellationToken cancellationToken)
    {
        if (!_options.CircuitBreaker.Enabled || !_options.CircuitBreaker.StrandedCallsTryOpenModels)
        {
            return null;
        }

        foreach (var route in plan.SelectMany(_routes.Order))
        {
            if (!route.IsOnlyDown(_timeProvider.GetUtcNow()) || call.SentTo(route) >= route.Model.MaxAttempts || call.AnsweredWithoutImage(route))
            {
                continue;
            }

            using var reservation = await TryReserveAsync(call, route, cancellationToken).ConfigureAwait(false);
            if (reservation is null)
            {
                continue;
            }

            var result = await RunRouteAsync(http, call, route, route.ThroughDownPipeline, default, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                reservation.Settle(result);
                return result;
            }
        }

        return null;
    }

    /// <summary>
    /// Every route failed or rests. Outages end at unknown times, so while the deadline has room
    /// (<see cref="CircuitBreakerOptions.WaitForReopen"/>) the call waits for a down route's next probe slot, a
    /// server's cooldown to end, or another call's probe to settle; then it walks the chain again, where the first call
    /// to reach a route whose slot has come probes it. Probes are shared, so stranded calls never hammer a route that is
    /// down. Returns to walk again; throws when nothing rests (every route failed for a reason waiting will not
    /// change) or nothing can come back while an answer could still arrive before the deadline.
    /// </summary>
    private async Task StrandedAsync(IReadOnlyList<ModelOptions> chain, CallState call, CancellationToken cancellationToken)
    {
        var breaker = _options.CircuitBreaker;
        if (!breaker.Enabled || !breaker.WaitForReopen)
        {
            throw Exhausted(call, chain);
        }

        var now = _timeProvider.GetUtcNow();

        // A route that already answered without an image is not waited for: another answer would be billed the same way.
        var waitable = chain.SelectMany(m => _routes.RoutesOf(m)).Where(r => !call.AnsweredWithoutImage(r)).ToList();

        // Waiting pays while an answer can still arrive: the deadline less the slowest recent answer of the routes
        // waited for (AttemptTimeout for one that has not answered yet, and never more).
        var latestUsefulStart = call.Deadline - waitable
            .Select(r => r.Health.SlowestRecentAnswer() is { } slowest && slowest < _options.AttemptTimeout ? slowest : _options.AttemptTimeout)
            .DefaultIfEmpty(_options.AttemptTimeout)
            .Max();
        var wakeAt = waitable.Select(r => r.RestingUntil(now)).Where(at => at is not null).Min();
        if (wakeAt is not { } wake || wake > latestUsefulStart)
        {
            throw Exhausted(call, chain);
        }

        await WaitUntilAsync(waitable, call, wake, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until <paramref name="wake"/>, or less if any route's health changes meanwhile; records the wait.</summary>
    private async Task WaitUntilAsync(List<Route> routes, CallState call, DateTimeOffset wake, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();

        // Read the clock once: another call may move it between two reads, and a negative delay would throw.
        var delay = WholeMillisecondsUp(wake - _timeProvider.GetUtcNow());
        _telemetry.WaitingForReopen(delay);
        using (var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var signals = routes.Select(r => r.WhenChanged()).Append(Task.Delay(delay, _timeProvider, stopWaiting.Token));
            _ = await Task.WhenAny(signals).ConfigureAwait(false);
            await stopWaiting.CancelAsync().ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (model, gateway) = call.Trail.Count > 0 ? (call.Trail[^1].Model, call.Trail[^1].Gateway) : (routes[0].ModelId, routes[0].Gateway.Name);
        call.AddSkipped(model, gateway, AttemptOutcome.CircuitOpen, "every route is down or cooling down; waited for a probe slot, a cooldown's end or another call's probe", _timeProvider.GetElapsedTime(started), WaitReason.BreakerReopen);
    }

    /// <summary>
    /// A wait rounded up to whole milliseconds, never negative. Task.Delay counts whole milliseconds and drops the rest:
    /// a wait of 4,999.6 ms would end 0.6 ms before its wake, and the call would walk the chain again and again until
    /// the clock moved past it — a spin on the real clock, and no end at all under a clock that moves only when asked.
    /// </summary>
    internal static TimeSpan WholeMillisecondsUp(TimeSpan delay)
        => delay <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks((delay.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond);

    /// <summary>Holds the route's worst-case price against the budget; null (and a step in the trail) when it does not fit.</summary>
    private async ValueTask<BudgetReservation?> TryReserveAsync(CallState call, Route route, CancellationToken cancellationToken)
    {
        var (reservation, refusal) = await _budget.ReserveAsync(route.Model, route.Gateway.Name, call.Request, cancellationToken).ConfigureAwait(false);
        if (reservation is null)
        {
            call.AddSkipped(route.ModelId, route.Gateway.Name, AttemptOutcome.BudgetExceeded, refusal!);
            _telemetry.Skipped(route.ModelId, route.Gateway.Name, AttemptOutcome.BudgetExceeded, refusal!);
        }

        return reservation;
    }

    /// <summary>Runs one route's pipeline; returns the result on success, null to move on, throws to stop.</summary>
    private async Task<NanoBananaResult?> RunRouteAsync(HttpClient http, CallState call, Route route, ResiliencePipeline<AttemptResult> pipeline, RoutePass pass, CancellationToken cancellationToken)
    {
        call.Route = route;
        call.Decision = default;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ModelPipelineFactory.CallKey, call);
        AttemptResult result;
        try
        {
            result = await pipeline.ExecuteAsync(
                static (ctx, state) => state.engine.AttemptAsync(state.http, state.call, state.route, state.pass, ctx.CancellationToken),
                context,
                (engine: this, http, call, route, pass)).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            Finish(call, AttemptDecision.NextModel, MovingOn);
            _telemetry.MovedOn(route, AttemptOutcome.Timeout);
            return null;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        var outcome = result.Outcome;
        switch (outcome)
        {
            case AttemptOutcome.Success:
                Finish(call, AttemptDecision.Return, null);
                return ResultBuilder.Build(call, route, result);
            case AttemptOutcome.Unauthorized or AttemptOutcome.PaymentRequired when route.Gateway.Reachability is { } gateway:
                // The key or the account belongs to the gateway: rest all of its routes, and let the others serve.
                gateway.CoolDown(_timeProvider.GetUtcNow() + _options.CircuitBreaker.MaxBreakDuration);
                Finish(call, AttemptDecision.NextModel, $"the gateway refused the key or the account; resting every route through it for {_options.CircuitBreaker.MaxBreakDuration}; moving on to the other gateways");
                _telemetry.MovedOn(route, outcome);
                return null;
            case AttemptOutcome.ContentBlocked or AttemptOutcome.Unauthorized or AttemptOutcome.PaymentRequired or AttemptOutcome.BadRequest:
                Finish(call, AttemptDecision.Stop, "stopping: another model would fail the same way");
                throw Fail(call, outcome, StopMessage(outcome, result), Activity.Current);
            default:
                CoolDownOnHint(route, result);
                Finish(call, AttemptDecision.NextModel, call.Decision.MoveOnReason is { } why ? $"{why}; moving on" : MovingOn);
                _telemetry.MovedOn(route, outcome);
                return null;
        }
    }

    /// <summary>
    /// One request through the route, on the pipeline's behalf: sent, classified, recorded in the call's open record,
    /// and reported to the route's health and to its gateway's reachability in the order the requests were sent.
    /// </summary>
    private async ValueTask<AttemptResult> AttemptAsync(HttpClient http, CallState call, Route route, RoutePass pass, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var now = _timeProvider.GetUtcNow();
        var ticket = route.Health.Sending(now, pass.Route == Admission.Probe);
        var gateway = route.Gateway.Reachability;
        var gatewayTicket = gateway?.Sending(now, pass.Gateway == Admission.Probe) ?? 0;
        AttemptResult? attempt = null;
        AttemptOutcome? outcome = null;
        var elapsed = TimeSpan.Zero;
        try
        {
            attempt = await route.Gateway.Sender.SendAsync(http, route.WireId, call.Request, cancellationToken).ConfigureAwait(false);
            var c = attempt.Classification;
            (outcome, elapsed) = (c.Outcome, attempt.Elapsed);
            call.SetPending(route, c.Outcome, attempt.StatusCode, c.ProviderStatus, attempt.Elapsed, c.Detail, attempt);
            _telemetry.Attempted(route, c.Outcome);
            return attempt;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !call.CallerToken.IsCancellationRequested)
        {
            // The attempt's own timeout (or the call's) fired; Polly turns the former into TimeoutRejectedException.
            // Say which: an attempt cut by the call's deadline did not use its AttemptTimeout, and raising it would not help.
            var cutByDeadline = _timeProvider.GetUtcNow() >= call.Deadline;
            var why = cutByDeadline ? "cut short by the call's TotalTimeout" : "no complete answer within AttemptTimeout";
            elapsed = _timeProvider.GetElapsedTime(started);

            // Only the route's own slowness is evidence against it; the call's deadline is the caller's.
            outcome = cutByDeadline ? null : AttemptOutcome.Timeout;
            call.SetPending(route, AttemptOutcome.Timeout, null, null, elapsed, why, null);
            _telemetry.Attempted(route, AttemptOutcome.Timeout);
            throw;
        }
        finally
        {
            now = _timeProvider.GetUtcNow();
            route.Health.Finished(ticket, outcome, elapsed, now);
            route.Hours?.Record(outcome, now);
            gateway?.Finished(gatewayTicket, GatewayEndpoint.ReachabilityOf(attempt), elapsed, now);
        }
    }

    /// <summary>A rate limit, a quota or a hint too long to wait keeps the route off for the hinted time.</summary>
    private void CoolDownOnHint(Route route, AttemptResult result)
    {
        if (!_options.CircuitBreaker.Enabled)
        {
            return;
        }

        var hint = result.Classification.Hint?.Delay;
        TimeSpan? cooldown = result.Outcome switch
        {
            AttemptOutcome.RateLimited => hint ?? _options.CircuitBreaker.RateLimitCooldown,
            AttemptOutcome.QuotaExhausted => hint ?? _options.CircuitBreaker.MaxBreakDuration,
            _ when hint > _options.Retry.MaxRetryAfter => hint,
            _ => null,
        };
        if (cooldown is { } span && span > TimeSpan.Zero)
        {
            route.Health.CoolDown(_timeProvider.GetUtcNow() + span);
        }
    }

    private NanoBananaException Exhausted(CallState call, IReadOnlyList<ModelOptions> chain)
    {
        var now = _timeProvider.GetUtcNow();
        var last = call.Trail.LastOrDefault(a => a.Outcome != AttemptOutcome.CircuitOpen) ?? (call.Trail.Count > 0 ? call.Trail[^1] : null);
        var outcome = last?.Outcome ?? AttemptOutcome.CircuitOpen;
        var reopen = chain.SelectMany(m => _routes.RoutesOf(m)).Select(r => r.RestingUntil(now)).Where(u => u is not null).Min();
        var hint = reopen is { } r && r > now ? r - now : (TimeSpan?)null;
        var summary = string.Join("; ", call.Trail.GroupBy(a => Route.NameOf(a.Model, a.Gateway)).Select(g => $"{g.Key}: {string.Join(", ", g.Select(a => a.Outcome))}"));
        if (outcome == AttemptOutcome.BudgetExceeded)
        {
            // Name the limit that ended the call; a route's reopening is not when the budget allows more.
            return Fail(call, outcome, $"No model fits the budget ({summary}). {last!.Model}: {last.Detail}.", Activity.Current);
        }

        var message = $"Every model failed ({summary}).{(hint is null ? string.Empty : $" The first model may be tried again in {hint:hh\\:mm\\:ss}.")}";
        return Fail(call, outcome, message, Activity.Current, hint, reopen);
    }

    private NanoBananaException Fail(CallState call, AttemptOutcome outcome, string message, Activity? activity, TimeSpan? retryAfter = null, DateTimeOffset? retryAt = null)
    {
        var last = call.LastResult;
        var details = new NanoBananaFailureDetails
        {
            StatusCode = last?.StatusCode,
            ProviderStatus = last?.Classification.ProviderStatus,
            Model = call.Trail.Count > 0 ? call.Trail[^1].Model : null,
            Gateway = call.Trail.Count > 0 ? call.Trail[^1].Gateway : null,
            RetryAfter = retryAfter ?? last?.Classification.Hint?.Delay,
            RetryAt = retryAt,
            QuotaKind = last?.Classification.Quota ?? QuotaKind.Unknown,
            BodyExcerpt = last?.Body.Excerpt,
            Attempts = [.. call.Trail],
        };

        // Marked here, not only where the call catches the exception: the TotalTimeout failure is thrown from a catch
        // clause, past its sibling that would otherwise mark the span.
        _telemetry.Failed(activity, outcome, call.Trail.Count, message);
        return new NanoBananaException(outcome, message, details);
    }

    private string StopMessage(AttemptOutcome outcome, AttemptResult result) => outcome switch
    {
        AttemptOutcome.ContentBlocked => $"The request was blocked by the model's safety filters; rephrase the prompt. {result.Classification.Detail}",
        AttemptOutcome.Unauthorized => $"The endpoint refused the API key; check {KeySetting}. {result.Classification.Detail}",
        AttemptOutcome.PaymentRequired => $"The endpoint asks for payment or credit. {result.Classification.Detail}",
        _ => $"The endpoint rejected the request. {result.Classification.Detail}",
    };

    private string MovingOn => _options.Gateways.Count == 0 ? "moving on to the next model" : "moving on to the next route";

    /// <summary>The setting that holds the key a refusal is about: one gateway's, when the client names gateways.</summary>
    private string KeySetting => _options.Gateways.Count == 0 ? "NanoBanana:ApiKey" : "NanoBanana:Gateways:N:ApiKey";

    private void Finish(CallState call, AttemptDecision decision, string? why)
    {
        if (call.Commit(decision, why: why) is { } record)
        {
            _telemetry.Recorded(record);
        }
    }

    private void Skip(CallState call, Route route, DateTimeOffset now)
    {
        var until = route.RestingUntil(now);
        var why = route.Gateway.Reachability?.IsResting(now) == true
            ? "its gateway is resting (unreachable, or its key was refused)"
            : route.Health.IsDown ? "down" : "cooling down at the server's request";
        var detail = $"{why}{(until is { } u ? $" until {u:HH:mm:ss} UTC" : string.Empty)}; no request sent";
        call.AddSkipped(route.ModelId, route.Gateway.Name, AttemptOutcome.CircuitOpen, detail);
        _telemetry.Skipped(route.ModelId, route.Gateway.Name, AttemptOutcome.CircuitOpen, detail);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        Downloader?.Dispose();
    }
}
