using System.Runtime.CompilerServices;

namespace NanoBananaResilience;

/// <summary>
/// Runs one batch: a single loop that reads items, waits for a free slot (the adaptive limit), for the schedule and for
/// the rate limiter, starts the item, and hands finished items back in the order they finish. All bookkeeping happens
/// on that loop, so only the manifest needs a lock.
/// </summary>
internal sealed class BatchRunner
{
    private readonly INanoBananaClient _client;
    private readonly BatchOptions _options;
    private readonly TimeProvider _time;
    private readonly AdaptiveConcurrency _concurrency;
    private readonly OffPeakScheduler _scheduler;
    private readonly BatchItemKey _keys = new();
    private readonly int? _total;
    private readonly List<Task<(BatchItemResult Result, long Epoch)>> _running = [];
    private long _started;
    private TimeSpan _heldBack;
    private int _succeeded;
    private int _failed;
    private int _skipped;
    private decimal _cost;

    // The first refusal of the key or the account, or of every model id: every item after it would be refused the
    // same way, so none is sent.
    private NanoBananaException? _refused;

    public BatchRunner(INanoBananaClient client, BatchOptions options, int? total)
    {
        _client = client;
        _options = options;
        _total = total;
        // The client's clock and peak window: the batch waits out the same window the client's chain reverses in.
        var schedule = client.Schedule ?? throw new InvalidOperationException("The client's Schedule is null; a client must report its clock and peak window.");
        _time = schedule.TimeProvider;
        _concurrency = new AdaptiveConcurrency(options.MinConcurrency, options.MaxConcurrency, options.AdaptiveConcurrency);
        _scheduler = new OffPeakScheduler(options, schedule);
    }

    public async IAsyncEnumerable<BatchItemResult> RunAsync(IAsyncEnumerable<NanoBananaRequest?> requests, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _started = _time.GetTimestamp();
        var manifest = _options.OutputDirectory is { } folder ? await BatchManifest.OpenAsync(folder, _time, cancellationToken).ConfigureAwait(false) : null;

        // Stops items still in flight when the caller stops reading or the run fails, not only when it cancels.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Read by hand rather than with await foreach: items that finish while the input has nothing yet are handed back.
        IAsyncEnumerator<NanoBananaRequest?>? input = null;
        Task<bool>? reading = null;
        try
        {
            input = requests.GetAsyncEnumerator(stop.Token);
            var index = 0;
            while (true)
            {
                reading = input.MoveNextAsync().AsTask();
                await foreach (var finished in HandBackWhileAsync(reading).ConfigureAwait(false))
                {
                    yield return finished;
                }

                // The caller's token ends the wait even when the input takes none.
                if (!await reading.WaitAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                var request = input.Current;
                var position = index++;
                if (request is null)
                {
                    _failed++;
                    Report();
                    yield return Refused(position, new ArgumentException($"The request at position {position} is null.", nameof(requests)));
                    continue;
                }

                var key = _keys.Next(request);
                if (manifest is not null && await manifest.FindDoneAsync(key, position).ConfigureAwait(false) is { } earlier)
                {
                    _skipped++;
                    Report();
                    yield return Skipped(position, key, request, earlier, manifest);
                    continue;
                }

                foreach (var finished in _running.Where(t => t.IsCompleted).ToList())
                {
                    yield return await CompleteAsync(finished).ConfigureAwait(false);
                }

                await foreach (var finished in WaitForSlotAsync().ConfigureAwait(false))
                {
                    yield return finished;
                }

                // Items in flight can finish while the batch waits for off-peak, hours long: they are handed back as they do.
                var waitStarted = _time.GetTimestamp();
                var deciding = _scheduler.DecideAsync(Report, stop.Token);
                await foreach (var finished in HandBackWhileAsync(deciding).ConfigureAwait(false))
                {
                    yield return finished;
                }

                var decision = await deciding.ConfigureAwait(false);
                _heldBack += _time.GetElapsedTime(waitStarted);

                // And while the rate limiter holds the permit back (a queuing limiter waits for its next replenishment).
                var permit = AcquirePermitAsync(stop.Token);
                await foreach (var finished in HandBackWhileAsync(permit).ConfigureAwait(false))
                {
                    yield return finished;
                }

                await permit.ConfigureAwait(false);

                // An item handed back during those waits may have cut the limit: the slot is checked again.
                await foreach (var finished in WaitForSlotAsync().ConfigureAwait(false))
                {
                    yield return finished;
                }

                _running.Add(RunItemAsync(position, key, request, decision, manifest, _concurrency.Epoch, stop.Token));
                Report();
            }

            while (_running.Count > 0)
            {
                var finished = await Task.WhenAny(_running).ConfigureAwait(false);
                yield return await CompleteAsync(finished).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await DrainAsync().ConfigureAwait(false);
            }
            finally
            {
                try
                {
                    await CloseAsync(input, reading).ConfigureAwait(false);
                }
                finally
                {
                    // Released however the items ended: a folder left locked would refuse every later run in this process.
                    if (manifest is not null)
                    {
                        await manifest.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
    }

    /// <summary>Hands items back as they finish until fewer are in flight than the limit allows.</summary>
    private async IAsyncEnumerable<BatchItemResult> WaitForSlotAsync()
    {
        while (_running.Count >= _concurrency.Limit)
        {
            var finished = await Task.WhenAny(_running).ConfigureAwait(false);
            yield return await CompleteAsync(finished).ConfigureAwait(false);
        }
    }

    /// <summary>Hands items back as they finish while the loop waits for something else: the next input, the end of the peak, a permit.</summary>
    private async IAsyncEnumerable<BatchItemResult> HandBackWhileAsync(Task waiting)
    {
        while (!waiting.IsCompleted && _running.Count > 0)
        {
            var anyFinished = Task.WhenAny(_running);
            if (await Task.WhenAny(waiting, anyFinished).ConfigureAwait(false) == anyFinished)
            {
                yield return await CompleteAsync(await anyFinished.ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Disposes the input. An enumerator cannot be disposed mid-read, and a producer that takes no token may never end
    /// a pending read, so such an enumerator is disposed when its read ends, without holding up the end of the run.
    /// </summary>
    private static async Task CloseAsync(IAsyncEnumerator<NanoBananaRequest?>? input, Task<bool>? reading)
    {
        if (input is null)
        {
            return;
        }

        if (reading is { IsCompleted: false })
        {
            _ = reading.ContinueWith(
                static (_, state) => ((IAsyncEnumerator<NanoBananaRequest?>)state!).DisposeAsync().AsTask(),
                input,
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default).Unwrap();
            return;
        }

        await input.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for every item stopped by an early end, so that no write outlives the run; their outcome is moot, but an
    /// item that failed for an unexpected reason is not hidden (it is thrown once all have ended).
    /// </summary>
    private async Task DrainAsync()
    {
        try
        {
            _ = await Task.WhenAll(_running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // every item that ended badly was stopped with the run, as asked
        }
    }

    private static BatchItemResult Refused(int index, Exception error) => new()
    {
        Index = index,
        Key = string.Empty,
        Request = null,
        Status = BatchItemStatus.Failed,
        Decision = BatchScheduleDecision.Immediate,
        Error = error,
    };

    private static BatchItemResult Skipped(int index, string key, NanoBananaRequest request, ManifestEntry earlier, BatchManifest manifest) => new()
    {
        Index = index,
        Key = key,
        Request = request,
        Status = BatchItemStatus.Skipped,
        Decision = BatchScheduleDecision.AlreadyDone,
        FilePath = manifest.PathOf(earlier.File!),
        Model = earlier.Model,
        CostUsd = 0,
    };

    private async Task<BatchItemResult> CompleteAsync(Task<(BatchItemResult Result, long Epoch)> finished)
    {
        _ = _running.Remove(finished);
        var (result, epoch) = await finished.ConfigureAwait(false);
        _concurrency.Observe(result.Attempts, epoch);
        if (result.Status == BatchItemStatus.Succeeded)
        {
            _succeeded++;
        }
        else
        {
            _failed++;
        }

        _cost += result.CostUsd ?? 0;
        Report();
        return result;
    }

    private async Task<(BatchItemResult Result, long Epoch)> RunItemAsync(
        int index, string key, NanoBananaRequest request, BatchScheduleDecision decision, BatchManifest? manifest, long epoch, CancellationToken cancellationToken)
    {
        var attempts = new List<AttemptRecord>();
        NanoBananaResult result;
        try
        {
            result = await GenerateAsync(ForSchedule(request, decision), attempts, cancellationToken).ConfigureAwait(false);
        }
        catch (NanoBananaException e)
        {
            if (manifest is not null)
            {
                await manifest.RecordFailureAsync(key, index, request.Prompt, e.Outcome.ToString(), decision).ConfigureAwait(false);
            }

            return (new BatchItemResult { Index = index, Key = key, Request = request, Status = BatchItemStatus.Failed, Decision = decision, Error = e, Model = e.Model, Attempts = attempts }, epoch);
        }
        catch (ArgumentException e)
        {
            return (new BatchItemResult { Index = index, Key = key, Request = request, Status = BatchItemStatus.Failed, Decision = decision, Error = e }, epoch);
        }

        string? path = null;
        try
        {
            if (manifest is not null)
            {
                path = await manifest.SaveAsync(key, index, request.Prompt, result, decision).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return (new BatchItemResult { Index = index, Key = key, Request = request, Status = BatchItemStatus.Failed, Decision = decision, Error = e, Result = result, Model = result.Model, CostUsd = result.EstimatedCostUsd, Attempts = attempts }, epoch);
        }

        return (new BatchItemResult
        {
            Index = index,
            Key = key,
            Request = request,
            Status = BatchItemStatus.Succeeded,
            Decision = decision,
            Result = result,
            FilePath = path,
            Model = result.Model,
            CostUsd = result.EstimatedCostUsd,
            Attempts = attempts,
        }, epoch);
    }

    /// <summary>
    /// Calls the client; when every model failed for a reason that passes with time, the item waits and calls again,
    /// keeping its slot, so that an outage pauses the batch rather than failing straight through it.
    /// </summary>
    private async Task<NanoBananaResult> GenerateAsync(NanoBananaRequest request, List<AttemptRecord> attempts, CancellationToken cancellationToken)
    {
        for (var call = 1; ; call++)
        {
            if (Volatile.Read(ref _refused) is { } refused)
            {
                var fix = refused.IsUnknownModels ? "Set NanoBanana:Models to ids this gateway serves" : "Fix the key or the account";
                throw new NanoBananaException(
                    refused.Outcome,
                    $"Not sent: an earlier item of this batch was refused ({refused.Outcome}), and every item would be. {fix}, then run the batch again; saved images are skipped.",
                    new NanoBananaFailureDetails { StatusCode = refused.StatusCode, ProviderStatus = refused.ProviderStatus, Model = refused.Model });
            }

            try
            {
                var result = await _client.GenerateAsync(request, cancellationToken).ConfigureAwait(false);
                attempts.AddRange(result.Attempts);
                return result;
            }
            catch (NanoBananaException e) when (e.IsTransient && call <= _options.ItemRetries)
            {
                attempts.AddRange(e.Attempts);
                await Task.Delay(ItemRetryDelay(e, call), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (NanoBananaException e)
            {
                attempts.AddRange(e.Attempts);
                if (e.Outcome is AttemptOutcome.Unauthorized or AttemptOutcome.PaymentRequired || e.IsUnknownModels)
                {
                    _ = Interlocked.CompareExchange(ref _refused, e, null);
                }

                throw;
            }
        }
    }

    /// <summary>The server's (or the reopening breaker's) hint when there is one, else a doubling delay; within bounds.</summary>
    private TimeSpan ItemRetryDelay(NanoBananaException error, int call)
    {
        // Bounded before it becomes a TimeSpan: a minute doubled 34 times (ItemRetries may be up to 100) does not fit in one.
        var delay = error.RetryAfter
            ?? TimeSpan.FromTicks((long)Math.Min(_options.ItemRetryDelay.Ticks * Math.Pow(2, call - 1), BatchDefaults.MaxItemRetryDelay.Ticks));
        return delay < BatchDefaults.MinItemRetryDelay ? BatchDefaults.MinItemRetryDelay
            : delay > BatchDefaults.MaxItemRetryDelay ? BatchDefaults.MaxItemRetryDelay
            : delay;
    }

    /// <summary>The request to send: off-peak items take <see cref="BatchOptions.OffPeakModel"/> unless they name a model.</summary>
    private NanoBananaRequest ForSchedule(NanoBananaRequest request, BatchScheduleDecision decision)
    {
        if (_options.OffPeakModel is not { } model || request.Model is not null
            || decision is not (BatchScheduleDecision.OffPeak or BatchScheduleDecision.DeferredToOffPeak))
        {
            return request;
        }

        var copy = new NanoBananaRequest(request.Prompt) { Size = request.Size, AspectRatio = request.AspectRatio, Model = model };
        foreach (var image in request.ReferenceImages)
        {
            copy.ReferenceImages.Add(image);
        }

        return copy;
    }

    private async Task AcquirePermitAsync(CancellationToken cancellationToken)
    {
        if (_options.RateLimiter is not { } limiter)
        {
            return;
        }

        while (true)
        {
            using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            if (lease.IsAcquired)
            {
                return;
            }

            // Refused (its queue is full): wait as long as it says, or a second (also for a hint of zero or less,
            // which would spin or throw), and ask again.
            var wait = lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero
                ? retryAfter
                : TimeSpan.FromSeconds(1);
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Report()
    {
        if (_options.Progress is not { } progress)
        {
            return;
        }

        var elapsed = _time.GetElapsedTime(_started);
        var ran = _succeeded + _failed;
        TimeSpan? remaining = null;

        // The pace is that of working time: hours held back for off-peak would otherwise stretch every later estimate.
        var working = elapsed - _heldBack;
        if (_total is { } total && ran > 0 && working > TimeSpan.Zero)
        {
            var left = Math.Max(0, total - _succeeded - _failed - _skipped);
            remaining = working / ran * left;
        }

        progress.Report(new BatchProgress
        {
            Succeeded = _succeeded,
            Failed = _failed,
            Skipped = _skipped,
            InFlight = _running.Count,
            Total = _total,
            ConcurrencyLimit = _concurrency.Limit,
            CostUsd = _cost,
            Elapsed = elapsed,
            EstimatedRemaining = remaining,
            WaitingUntil = _scheduler.WaitingUntil,
        });
    }
}
