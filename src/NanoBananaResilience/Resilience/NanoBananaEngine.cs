using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Timeout;

namespace NanoBananaResilience;

/// <summary>
/// The walker and the per-model state behind every client of one configuration: it plans the order of models
/// for a call, runs each model's pipeline, and decides by the classification table whether to move on or stop.
/// One instance per configuration (a singleton in DI), so breakers and cooldowns see all traffic.
/// </summary>
internal sealed class NanoBananaEngine : IDisposable
{
    private readonly NanoBananaOptions _options;
    private readonly IReadOnlyList<ModelOptions> _chain;
    private readonly PeakWindow _peak;
    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _random;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly AttemptSender _sender;
    private readonly NanoBananaMetrics _metrics;
    private readonly CostLedger _costs;
    private readonly BudgetGuard _budget;
    private readonly ConcurrentDictionary<string, ModelRuntime> _models = new(StringComparer.Ordinal);
    private readonly ModelKeys _keys;
    private readonly INanoBananaSharedState? _shared;

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
        _keys = new ModelKeys(_chain.Select(m => m.Id));
        _peak = PeakWindow.From(options.PeakHours);
        _timeProvider = timeProvider ?? TimeProvider.System;
        Schedule = new NanoBananaSchedule(_timeProvider, _peak.Enabled, _peak.Start, _peak.End);
        _random = random ?? options.Retry.Randomizer ?? Random.Shared.NextDouble;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("NanoBananaResilience");
        _sender = new AttemptSender(options, _timeProvider);
        _metrics = new NanoBananaMetrics(meterFactory);
        _costs = new CostLedger(options.Budget.Period, _timeProvider, _keys);
        _shared = sharedState;
        _budget = new BudgetGuard(options.Budget, _costs, sharedState);
        Downloader = options.ImageDownload.Enabled ? new ImageDownloader(options.ImageDownload, _timeProvider) : null;
        foreach (var model in _chain)
        {
            _ = Runtime(model);
        }
    }

    public IReadOnlyList<ModelOptions> Chain => _chain;

    public TimeProvider TimeProvider => _timeProvider;

    public INanoBananaCostMeter Costs => _costs;

    public NanoBananaSchedule Schedule { get; }
    /// <summary>Fetches image addresses found in answers; <see langword="null"/> unless ImageDownload is enabled.</summary>
    public ImageDownloader? Downloader { get; }

    /// <summary>Each model's breaker state and when it may be tried again, for health checks.</summary>
    public IReadOnlyList<ModelStatus> GetModelStatuses()
    {
        var now = _timeProvider.GetUtcNow();
        return [.. _models.Values.Select(m => new ModelStatus(m.Model.Id, m.Health.State(now), m.Health.RestingUntil(now)))];
    }

    public async Task<NanoBananaResult> GenerateAsync(HttpClient http, NanoBananaRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _timeProvider.GetTimestamp();
        var now = _timeProvider.GetUtcNow();
        using var totalTimeout = new CancellationTokenSource(_options.TotalTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, totalTimeout.Token);
        var call = new CallState(request, now + _options.TotalTimeout, cancellationToken);
        using var activity = NanoBananaDiagnostics.ActivitySource.StartActivity("generate_content", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "generate_content");
        activity?.SetTag("gen_ai.output.type", "image");
        activity?.SetTag("gen_ai.provider.name", NanoBananaDiagnostics.ProviderName);
        Log.Prompt(_logger, request.Prompt);

        try
        {
            var result = await WalkAsync(http, call, linked.Token).ConfigureAwait(false);
            activity?.SetTag("gen_ai.response.model", result.Model);
            activity?.SetTag("nanobanana.attempts", result.Attempts.Count);
            if (result.Usage is { } usage)
            {
                activity?.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
                activity?.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
            }

            var modelTag = new KeyValuePair<string, object?>("gen_ai.response.model", _keys.KeyOf(result.Model));
            _metrics.Images.Add(1, modelTag);
            if (result.EstimatedCostUsd is { } cost)
            {
                _metrics.Cost.Add((double)cost, modelTag);
            }

            Log.Succeeded(_logger, result.Model, result.Attempts.Count, result.EstimatedCostUsd);
            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && totalTimeout.IsCancellationRequested)
        {
            call.Commit(AttemptDecision.Stop, why: "the call's TotalTimeout passed");
            throw Fail(call, AttemptOutcome.Timeout, $"No image within the call's TotalTimeout ({_options.TotalTimeout}).", activity);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            _metrics.Failures.Add(1, new KeyValuePair<string, object?>("nanobanana.outcome", nameof(AttemptOutcome.Cancelled)));
            throw new OperationCanceledException("The call was cancelled by the caller.", null, cancellationToken);
        }
        catch (NanoBananaException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Outcome.ToString());
            activity?.SetTag("error.type", e.Outcome.ToString());
            throw;
        }
        finally
        {
            _metrics.Duration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task<NanoBananaResult> WalkAsync(HttpClient http, CallState call, CancellationToken cancellationToken)
    {
        var chain = call.Request.Model is { } only ? [_chain.FirstOrDefault(m => m.Id == only) ?? new ModelOptions { Id = only, MaxAttempts = 1 }] : _chain;
        for (var round = 0; ; round++)
        {
            var now = _timeProvider.GetUtcNow();
            var plan = ChainPlanner.Plan(chain, _peak, now, id => Runtime(id).Health.RestingUntil(now) is not null);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.Planned(_logger, string.Join(" → ", plan.Select(m => m.Id)), _peak.Contains(now) ? " (peak window: chain reversed)" : string.Empty);
            }

            foreach (var model in plan)
            {
                if (round > 0 && call.AnsweredWithoutImage(model.Id))
                {
                    continue;
                }

                var runtime = Runtime(model);
                now = _timeProvider.GetUtcNow();
                var admission = runtime.Health.Admit(now);
                if (admission == Admission.Skip)
                {
                    if (round == 0)
                    {
                        // Later rounds skip silently: the wait records already say that every model rests.
                        var until = runtime.Health.RestingUntil(now);
                        Skip(call, model.Id, $"{(runtime.Health.IsDown ? "down" : "cooling down at the server's request")}{(until is { } u ? $" until {u:HH:mm:ss} UTC" : string.Empty)}; no request sent");
                    }

                    continue;
                }

                var result = await TryModelAsync(http, call, runtime, admission, cancellationToken).ConfigureAwait(false);
                if (result is not null)
                {
                    return result;
                }
            }

            if (round == 0 && await TryDownModelsAsync(http, plan, call, cancellationToken).ConfigureAwait(false) is { } fished)
            {
                return fished;
            }

            await StrandedAsync(chain, call, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one model for the call as admitted: its pipeline with retries, or one probe request. The budget comes
    /// first; a probe slot that is not used (refused, cancelled) is handed back for another call.
    /// </summary>
    private async Task<NanoBananaResult?> TryModelAsync(HttpClient http, CallState call, ModelRuntime runtime, Admission admission, CancellationToken cancellationToken)
    {
        var probe = admission == Admission.Probe;
        var sent = false;
        try
        {
            using var reservation = await TryReserveAsync(call, runtime.Model, cancellationToken).ConfigureAwait(false);
            if (reservation is null)
            {
                return null;
            }

            if (probe)
            {
                Log.Probing(_logger, runtime.Model.Id);
            }

            sent = true;
            var pipeline = probe ? runtime.ProbePipeline : runtime.Pipeline;
            var result = await RunModelAsync(http, call, runtime, pipeline, probe, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                reservation.Settle(result);
            }

            return result;
        }
        finally
        {
            if (probe && !sent)
            {
                runtime.Health.ReleaseProbe();
            }
        }
    }

    /// <summary>
    /// Every model failed or rests, once per call: spends what is left of the attempts of the models that only their
    /// outage keeps off (<see cref="CircuitBreakerOptions.StrandedCallsTryOpenModels"/>) — skipped, or cut short when
    /// judged down mid-call — in the plan's order, before the call waits or fails. A stranded call so sends what the
    /// chain's attempts allow, as if no model had been judged down, and never more; never past a server's cooldown.
    /// A success marks that model up for every call. Returns the image, or null.
    /// </summary>
    private async Task<NanoBananaResult?> TryDownModelsAsync(HttpClient http, IReadOnlyList<ModelOptions> plan, CallState call, CancellationToken cancellationToken)
    {
        if (!_options.CircuitBreaker.Enabled || !_options.CircuitBreaker.StrandedCallsTryOpenModels)
        {
            return null;
        }

        foreach (var model in plan)
        {
            var runtime = Runtime(model);
            if (!runtime.Health.IsOnlyDown(_timeProvider.GetUtcNow()) || call.SentTo(model.Id) >= model.MaxAttempts || call.AnsweredWithoutImage(model.Id))
            {
                continue;
            }

            using var reservation = await TryReserveAsync(call, model, cancellationToken).ConfigureAwait(false);
            if (reservation is null)
            {
                continue;
            }

            var result = await RunModelAsync(http, call, runtime, runtime.ThroughDownPipeline, probe: false, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                reservation.Settle(result);
                return result;
            }
        }

        return null;
    }

    /// <summary>
    /// Every model failed or rests. Outages end at unknown times, so while the deadline has room
    /// (<see cref="CircuitBreakerOptions.WaitForReopen"/>) the call waits for a down model's next probe slot, a
    /// server's cooldown to end, or another call's probe to settle; then it walks the chain again, where the first call
    /// to reach a model whose slot has come probes it. Probes are shared, so stranded calls never hammer a model that is
    /// down. Returns null to walk again; throws when nothing rests (every model failed for a reason waiting will not
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

        // A model that already answered without an image is not waited for: another answer would be billed the same way.
        var waitable = chain.Where(m => !call.AnsweredWithoutImage(m.Id)).ToList();

        // Waiting pays while an answer can still arrive: the deadline less the slowest recent answer of the models
        // waited for (AttemptTimeout for one that has not answered yet, and never more).
        var latestUsefulStart = call.Deadline - waitable
            .Select(m => Runtime(m).Health.SlowestRecentAnswer() is { } slowest && slowest < _options.AttemptTimeout ? slowest : _options.AttemptTimeout)
            .DefaultIfEmpty(_options.AttemptTimeout)
            .Max();
        var wakeAt = waitable.Select(m => Runtime(m).Health.RestingUntil(now)).Where(at => at is not null).Min();
        if (wakeAt is not { } wake || wake > latestUsefulStart)
        {
            throw Exhausted(call, chain);
        }

        await WaitUntilAsync(chain, call, wake, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until <paramref name="wake"/>, or less if any model's health changes meanwhile; records the wait.</summary>
    private async Task WaitUntilAsync(IReadOnlyList<ModelOptions> chain, CallState call, DateTimeOffset wake, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();

        // Read the clock once: another call may move it between two reads, and a negative delay would throw.
        var delay = wake - _timeProvider.GetUtcNow();
        delay = delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        Log.WaitingForReopen(_logger, delay);
        using (var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var signals = chain.Select(m => Runtime(m).Health.WhenChanged()).Append(Task.Delay(delay, _timeProvider, stopWaiting.Token));
            _ = await Task.WhenAny(signals).ConfigureAwait(false);
            await stopWaiting.CancelAsync().ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        call.AddSkipped(call.Trail.Count > 0 ? call.Trail[^1].Model : chain[0].Id, AttemptOutcome.CircuitOpen, "every model is down or cooling down; waited for a probe slot, a cooldown's end or another call's probe", _timeProvider.GetElapsedTime(started), WaitReason.BreakerReopen);
    }

    /// <summary>Holds the model's worst-case price against the budget; null (and a step in the trail) when it does not fit.</summary>
    private async ValueTask<BudgetReservation?> TryReserveAsync(CallState call, ModelOptions model, CancellationToken cancellationToken)
    {
        var (reservation, refusal) = await _budget.ReserveAsync(model, call.Request, cancellationToken).ConfigureAwait(false);
        if (reservation is null)
        {
            call.AddSkipped(model.Id, AttemptOutcome.BudgetExceeded, refusal!);
            CountAttempt(model.Id, AttemptOutcome.BudgetExceeded);
            Log.Skipped(_logger, model.Id, refusal!);
        }

        return reservation;
    }

    /// <summary>Runs one model's pipeline; returns the result on success, null to move on, throws to stop.</summary>
    private async Task<NanoBananaResult?> RunModelAsync(HttpClient http, CallState call, ModelRuntime runtime, ResiliencePipeline<AttemptResult> pipeline, bool probe, CancellationToken cancellationToken)
    {
        var model = runtime.Model;
        call.Model = model;
        call.ProtocolRetriesOnModel = 0;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ModelPipelineFactory.CallKey, call);
        AttemptResult result;
        try
        {
            result = await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    var (engine, http, call, runtime, probe) = state;
                    var model = runtime.Model;
                    var started = engine._timeProvider.GetTimestamp();
                    var ticket = runtime.Health.Sending(engine._timeProvider.GetUtcNow(), probe);
                    AttemptOutcome? outcome = null;
                    var elapsed = TimeSpan.Zero;
                    try
                    {
                        var attempt = await engine._sender.SendAsync(http, model.Id, call.Request, ctx.CancellationToken).ConfigureAwait(false);
                        var c = attempt.Classification;
                        (outcome, elapsed) = (c.Outcome, attempt.Elapsed);
                        call.SetPending(model.Id, c.Outcome, attempt.StatusCode, c.ProviderStatus, attempt.Elapsed, c.Detail, attempt);
                        engine.CountAttempt(model.Id, c.Outcome);
                        return attempt;
                    }
                    catch (OperationCanceledException) when (ctx.CancellationToken.IsCancellationRequested && !call.CallerToken.IsCancellationRequested)
                    {
                        // The attempt's own timeout (or the call's) fired; Polly turns the former into TimeoutRejectedException.
                        // Say which: an attempt cut by the call's deadline did not use its AttemptTimeout, and raising it would not help.
                        var cutByDeadline = engine._timeProvider.GetUtcNow() >= call.Deadline;
                        var why = cutByDeadline ? "cut short by the call's TotalTimeout" : "no complete answer within AttemptTimeout";
                        elapsed = engine._timeProvider.GetElapsedTime(started);

                        // Only the model's own slowness is evidence against it; the call's deadline is the caller's.
                        outcome = cutByDeadline ? null : AttemptOutcome.Timeout;
                        call.SetPending(model.Id, AttemptOutcome.Timeout, null, null, elapsed, why, null);
                        engine.CountAttempt(model.Id, AttemptOutcome.Timeout);
                        throw;
                    }
                    finally
                    {
                        runtime.Health.Finished(ticket, outcome, elapsed, engine._timeProvider.GetUtcNow());
                    }
                },
                context,
                (this, http, call, runtime, probe)).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            Finish(call, AttemptDecision.NextModel, "moving on to the next model");
            Fallback(model.Id, AttemptOutcome.Timeout);
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
                return BuildResult(call, model, result);
            case AttemptOutcome.ContentBlocked or AttemptOutcome.Unauthorized or AttemptOutcome.PaymentRequired or AttemptOutcome.BadRequest:
                Finish(call, AttemptDecision.Stop, "stopping: another model would fail the same way");
                throw Fail(call, outcome, StopMessage(outcome, result), Activity.Current);
            default:
                CoolDownOnHint(runtime, result);
                Finish(call, AttemptDecision.NextModel, call.MoveOnReason is { } why ? $"{why}; moving on" : "moving on to the next model");
                Fallback(model.Id, outcome);
                return null;
        }
    }

    /// <summary>A rate limit, a quota or a hint too long to wait keeps the model off for the hinted time.</summary>
    private void CoolDownOnHint(ModelRuntime runtime, AttemptResult result)
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
            runtime.Health.CoolDown(_timeProvider.GetUtcNow() + span);
        }
    }

    private static NanoBananaResult BuildResult(CallState call, ModelOptions model, AttemptResult result)
    {
        var images = result.Body.Images.Select(image =>
        {
            var info = ImageInfo.Read(image.Data.Span);
            var mediaType = info.MediaType ?? image.DeclaredMediaType ?? "application/octet-stream";
            return new GeneratedImage(image.Data, mediaType, info.Width, info.Height, image.Url);
        }).ToList();
        var cost = Pricing.Estimate(model, model.Id, call.Request.Size, result.Body.Usage, images.Count);
        return new NanoBananaResult(images, model.Id, result.Body.Text, result.Body.Usage, [.. call.Trail], cost);
    }

    private NanoBananaException Exhausted(CallState call, IReadOnlyList<ModelOptions> chain)
    {
        var now = _timeProvider.GetUtcNow();
        var last = call.Trail.LastOrDefault(a => a.Outcome != AttemptOutcome.CircuitOpen) ?? (call.Trail.Count > 0 ? call.Trail[^1] : null);
        var outcome = last?.Outcome ?? AttemptOutcome.CircuitOpen;
        var reopen = EarliestReopen(chain);
        var hint = reopen is { } r && r > now ? r - now : (TimeSpan?)null;
        var summary = string.Join("; ", call.Trail.GroupBy(a => a.Model).Select(g => $"{g.Key}: {string.Join(", ", g.Select(a => a.Outcome))}"));
        if (outcome == AttemptOutcome.BudgetExceeded)
        {
            // Name the limit that ended the call; a breaker's reopening is not when the budget allows more.
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
            RetryAfter = retryAfter ?? last?.Classification.Hint?.Delay,
            RetryAt = retryAt,
            QuotaKind = last?.Classification.Quota ?? QuotaKind.Unknown,
            BodyExcerpt = last?.Body.Excerpt,
            Attempts = [.. call.Trail],
        };
        // Set here, not only where the call catches the exception: the TotalTimeout failure is thrown from a catch
        // clause, past its sibling that would otherwise mark the span.
        activity?.SetStatus(ActivityStatusCode.Error, outcome.ToString());
        activity?.SetTag("error.type", outcome.ToString());
        _metrics.Failures.Add(1, new KeyValuePair<string, object?>("nanobanana.outcome", outcome.ToString()));
        Log.Failed(_logger, outcome, call.Trail.Count, message);
        return new NanoBananaException(outcome, message, details);
    }

    private static string StopMessage(AttemptOutcome outcome, AttemptResult result) => outcome switch
    {
        AttemptOutcome.ContentBlocked => $"The request was blocked by the model's safety filters; rephrase the prompt. {result.Classification.Detail}",
        AttemptOutcome.Unauthorized => $"The endpoint refused the API key; check NanoBanana:ApiKey. {result.Classification.Detail}",
        AttemptOutcome.PaymentRequired => $"The endpoint asks for payment or credit. {result.Classification.Detail}",
        _ => $"The endpoint rejected the request. {result.Classification.Detail}",
    };

    private void Finish(CallState call, AttemptDecision decision, string? why)
    {
        var record = call.Commit(decision, why: why);
        if (record is not null)
        {
            Log.AttemptFinished(_logger, record.Model, record.Outcome, record.StatusCode, (long)record.Elapsed.TotalMilliseconds, decision, record.Detail);
            Activity.Current?.AddEvent(new ActivityEvent("attempt", tags: new ActivityTagsCollection
            {
                ["gen_ai.request.model"] = record.Model,
                ["nanobanana.outcome"] = record.Outcome.ToString(),
                ["http.response.status_code"] = record.StatusCode,
            }));
        }
    }

    private void Skip(CallState call, string model, string detail)
    {
        call.AddSkipped(model, AttemptOutcome.CircuitOpen, detail);
        CountAttempt(model, AttemptOutcome.CircuitOpen);
        Log.Skipped(_logger, model, detail);
    }

    // Metric tags go through the model keys: every distinct tag value is a time series an exporter keeps forever.
    private void CountAttempt(string model, AttemptOutcome outcome)
        => _metrics.Attempts.Add(1, new KeyValuePair<string, object?>("gen_ai.request.model", _keys.KeyOf(model)), new KeyValuePair<string, object?>("nanobanana.outcome", outcome.ToString()));

    private void Fallback(string model, AttemptOutcome outcome)
        => _metrics.Fallbacks.Add(1, new KeyValuePair<string, object?>("gen_ai.request.model", _keys.KeyOf(model)), new KeyValuePair<string, object?>("nanobanana.outcome", outcome.ToString()));

    private DateTimeOffset? EarliestReopen(IReadOnlyList<ModelOptions> chain)
    {
        var now = _timeProvider.GetUtcNow();
        return chain.Select(m => Runtime(m).Health.RestingUntil(now)).Where(u => u is not null).Min();
    }

    /// <summary>
    /// The shared state of a model. Models named per call (<see cref="NanoBananaRequest.Model"/>) get one too, so their
    /// breakers see all traffic, while <see cref="ModelKeys"/> has room: ids chosen by callers must not grow the engine
    /// without bound, so past that a model runs with state of its own for the call.
    /// </summary>
    private ModelRuntime Runtime(ModelOptions model)
    {
        if (_models.TryGetValue(model.Id, out var runtime))
        {
            return runtime;
        }

        var key = _keys.Admit(model.Id);
        return key == ModelKeys.Overflow ? CreateRuntime(model, key) : _models.GetOrAdd(model.Id, _ => CreateRuntime(model, key));
    }

    private ModelRuntime Runtime(string id) => _models.TryGetValue(id, out var runtime) ? runtime : Runtime(new ModelOptions { Id = id, MaxAttempts = 1 });

    private ModelRuntime CreateRuntime(ModelOptions model, string key)
    {
        // Ids past the key cap get throwaway state for one call: they do not join the fleet's.
        var health = new ModelHealth(model.Id, _options.CircuitBreaker, _options.AttemptTimeout, _logger, key == ModelKeys.Overflow ? null : _shared);
        var pipeline = ModelPipelineFactory.Create(model, key, _options, health, _timeProvider, _random, _loggerFactory);
        var probe = ModelPipelineFactory.CreateProbe(key, _options, _timeProvider, _loggerFactory);
        var throughDown = ModelPipelineFactory.Create(model, key, _options, health, _timeProvider, _random, _loggerFactory, throughDown: true);
        return new ModelRuntime(model, health, pipeline, probe, throughDown);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        Downloader?.Dispose();
    }

    private sealed record ModelRuntime(
        ModelOptions Model,
        ModelHealth Health,
        ResiliencePipeline<AttemptResult> Pipeline,
        ResiliencePipeline<AttemptResult> ProbePipeline,
        ResiliencePipeline<AttemptResult> ThroughDownPipeline);
}
