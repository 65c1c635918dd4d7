using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Batch;

/// <summary>The batch's less travelled paths: items that end in the unexpected, long waits, inputs and permits that pause, many item retries.</summary>
public sealed class BatchRunnerEdgeTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateBatchAsync_TwoItemsFailUnexpectedly_ReleasesTheFolderForTheNextRun()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nanobanana-batch-" + Guid.NewGuid().ToString("N"));
        try
        {
            var client = new BrokenClient();
            var options = new BatchOptions { OutputDirectory = folder, MaxConcurrency = 2 };

            await Assert.ThrowsAsync<InvalidOperationException>(() => CollectAsync(client.GenerateBatchAsync(BatchWorld.Prompts(2), options, Token)));

            Assert.Equal(2, client.Calls);
            Assert.False(File.Exists(Path.Combine(folder, ".batch.lock")), "the lock goes with the run, however it ends");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task GenerateBatchAsync_AfterWaitingForOffPeak_EstimatesFromThePaceSinceTheWait()
    {
        var start = BatchWorld.Monday.AddHours(10);
        using var world = new BatchWorld(start, BatchWorld.NothingFails);
        var reports = new List<(DateTimeOffset At, BatchProgress Progress)>();
        var options = world.Options(o =>
        {
            o.Scheduling = BatchScheduling.PreferOffPeak;
            o.Deadline = start.AddHours(12);
            o.Progress = new SynchronousProgress(p => reports.Add((world.Clock.GetUtcNow(), p)));
        });

        _ = await world.RunAsync(BatchWorld.Prompts(40), options, Token);

        var offPeak = start.Date.AddHours(14);
        var halfway = reports.First(r => r.Progress.Done >= 20);
        Assert.True(halfway.At > offPeak, "half the items ran after the wait");
        Assert.NotNull(halfway.Progress.EstimatedRemaining);

        // Half done after working this long, the other half takes about as long again; the four hours held back are no work.
        var worked = halfway.At - offPeak;
        var estimate = halfway.Progress.EstimatedRemaining.Value;
        Assert.True(estimate >= worked / 2 && estimate <= worked * 2, $"after {worked} of work the estimate was {estimate}");
    }

    [Fact]
    public async Task GenerateBatchAsync_ManyItemRetriesWithoutAHint_WaitsTheLongestDelayInsteadOfOverflowing()
    {
        var clock = new VirtualTimeProvider(BatchWorld.Monday.AddHours(2)) { SettleTime = TimeSpan.Zero };
        var client = new FailingClient(AttemptOutcome.Overloaded) { Schedule = NanoBananaModelFactory.NanoBananaSchedule(clock) }; // transient, with no hint of when to come back
        var options = new BatchOptions { ItemRetries = 40 };

        var results = await clock.RunAsync(() => CollectAsync(client.GenerateBatchAsync(BatchWorld.Prompts(1), options, Token)), Token);

        var item = Assert.Single(results);
        Assert.Equal(BatchItemStatus.Failed, item.Status);
        Assert.IsType<NanoBananaException>(item.Error);
        Assert.Equal(41, client.Calls);
        Assert.True(clock.GetUtcNow() - BatchWorld.Monday.AddHours(2) <= TimeSpan.FromMinutes(15) * 40, "no wait is longer than 15 minutes");
    }

    [Fact]
    public async Task GenerateBatchAsync_ItemsFinishingWhileTheBatchWaitsForOffPeak_AreHandedBackAsTheyFinish()
    {
        var clock = new FakeTimeProvider(BatchWorld.Monday.AddHours(10).AddSeconds(-10));
        var client = new HeldClient(held: 4) { Schedule = NanoBananaModelFactory.NanoBananaSchedule(clock) };
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new BatchOptions
        {
            Scheduling = BatchScheduling.PreferOffPeak,
            Deadline = clock.GetUtcNow().AddHours(12),
            Progress = new SynchronousProgress(p => _ = p.WaitingUntil is null || waiting.TrySetResult()),
        };
        var handedBack = new List<BatchItemResult>();
        var firstFour = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(
            async () =>
            {
                await foreach (var item in client.GenerateBatchAsync(BatchWorld.Prompts(6), options, Token).ConfigureAwait(false))
                {
                    lock (handedBack)
                    {
                        handedBack.Add(item);
                        if (handedBack.Count == 4)
                        {
                            firstFour.SetResult();
                        }
                    }
                }
            },
            Token);

        // Four items start at 09:59:50. One finishes at 10:00, the fifth item is held back until 14:00, then the
        // other three finish: the caller (its progress, its summary, its cost) hears of them then, not four hours later.
        await client.AllHeld.WaitAsync(TimeSpan.FromSeconds(10), Token);
        clock.Advance(TimeSpan.FromSeconds(10));
        client.Finish(0);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        client.Finish(1);
        client.Finish(2);
        client.Finish(3);
        await firstFour.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.Equal(4, client.Calls);
        Assert.All(handedBack, r => Assert.Equal(BatchScheduleDecision.OffPeak, r.Decision));
        clock.Advance(TimeSpan.FromHours(4));
        await run.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(6, handedBack.Count(r => r.Status == BatchItemStatus.Succeeded));
        Assert.Equal(2, handedBack.Count(r => r.Decision == BatchScheduleDecision.DeferredToOffPeak));
    }

    [Fact]
    public async Task GenerateBatchAsync_StreamThatWaitsForTheFirstResults_HandsThemBackWhileItWaits()
    {
        using var world = new BatchWorld(BatchWorld.Monday.AddHours(2), BatchWorld.NothingFails);
        world.Clock.StallTimeout = TimeSpan.FromSeconds(10); // what a run that never hands them back ends with
        var firstTwoSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handedBack = new List<BatchItemResult>();

        await world.Clock.RunAsync(async () =>
        {
            await foreach (var item in world.Client.GenerateBatchAsync(PausingStream(firstTwoSeen.Task), world.Options(), Token).ConfigureAwait(false))
            {
                handedBack.Add(item);
                if (handedBack.Count == 2)
                {
                    firstTwoSeen.SetResult();
                }
            }
        }, Token);

        // Two requests, then nothing until their results are in (a producer fed by what it gets back, or just slow).
        Assert.Equal([0, 1], handedBack.Take(2).Select(r => r.Index).Order());
        Assert.Equal(2, handedBack[^1].Index);
        Assert.All(handedBack, r => Assert.Equal(BatchItemStatus.Succeeded, r.Status));
    }

    [Fact]
    public async Task GenerateBatchAsync_RateLimiterHoldingThePermitBack_HandsBackFinishedItemsWhileItWaits()
    {
        using var world = new BatchWorld(BatchWorld.Monday.AddHours(2), BatchWorld.NothingFails);
        world.Clock.StallTimeout = TimeSpan.FromSeconds(10); // what a run that never hands them back ends with
        using var limiter = new TwoPermitsThenWait();
        var handedBack = new List<BatchItemResult>();

        await world.Clock.RunAsync(async () =>
        {
            await foreach (var item in world.Client.GenerateBatchAsync(BatchWorld.Prompts(3), world.Options(o => o.RateLimiter = limiter), Token).ConfigureAwait(false))
            {
                handedBack.Add(item);
                if (handedBack.Count == 2)
                {
                    limiter.Release();
                }
            }
        }, Token);

        Assert.Equal([0, 1], handedBack.Take(2).Select(r => r.Index).Order());
        Assert.Equal(2, handedBack[^1].Index);
        Assert.All(handedBack, r => Assert.Equal(BatchItemStatus.Succeeded, r.Status));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)] // with an item in flight
    public async Task GenerateBatchAsync_CancelledWhileAStreamThatIgnoresTheTokenHasNothing_EndsAtOnce(int requestsBeforeStalling)
    {
        var client = new HeldClient(held: 1);
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = CollectAsync(client.GenerateBatchAsync(StallingStream(requestsBeforeStalling, stalled), new BatchOptions(), cancel.Token));
        await stalled.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);

        await cancel.CancelAsync();

        // The item in flight is cancelled at once; the stream's pending read cannot be, and must not hold the run's end.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Token));
        Assert.Equal(requestsBeforeStalling, client.Calls);
    }

    private static async Task<List<BatchItemResult>> CollectAsync(IAsyncEnumerable<BatchItemResult> batch)
    {
        var results = new List<BatchItemResult>();
        await foreach (var result in batch.ConfigureAwait(false))
        {
            results.Add(result);
        }

        return results;
    }

    private static async IAsyncEnumerable<NanoBananaRequest> PausingStream(Task resume)
    {
        var prompts = BatchWorld.Prompts(3);
        yield return prompts[0];
        yield return prompts[1];
        await resume.ConfigureAwait(false);
        yield return prompts[2];
    }

    private static async IAsyncEnumerable<NanoBananaRequest> StallingStream(int count, TaskCompletionSource stalled)
    {
        foreach (var request in BatchWorld.Prompts(count))
        {
            yield return request;
        }

        stalled.SetResult();
        await new TaskCompletionSource().Task.ConfigureAwait(false); // a producer that takes no token, with nothing more to give
    }

    [Theory]
    [InlineData(AttemptOutcome.Unauthorized)] // a wrong key
    [InlineData(AttemptOutcome.ModelNotFound)] // every model id unknown to the gateway: only a configuration change helps
    public async Task GenerateBatchAsync_KeyOrModelsRefused_SendsNoMoreItemsAndFailsTheRestWithTheSameOutcome(AttemptOutcome outcome)
    {
        var client = new FailingClient(outcome);

        var results = await CollectAsync(client.GenerateBatchAsync(BatchWorld.Prompts(200), new BatchOptions { MaxConcurrency = 4 }, Token));

        Assert.Equal(200, results.Count);
        Assert.All(results, r => Assert.Equal(outcome, Assert.IsType<NanoBananaException>(r.Error).Outcome));
        Assert.InRange(client.Calls, 1, 4); // only the items already in flight when the first refusal came back
        Assert.Contains(results, r => r.Error!.Message.StartsWith("Not sent: an earlier item", StringComparison.Ordinal));
    }

    /// <summary>A client (a user's decorator, say) that fails every call with an exception the batch does not expect, once two calls are in flight.</summary>
    private sealed class BrokenClient : INanoBananaClient
    {
        private readonly TaskCompletionSource _bothStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<NanoBananaResult> GenerateAsync(string prompt, CancellationToken cancellationToken = default)
            => GenerateAsync(new NanoBananaRequest(prompt), cancellationToken);

        public async Task<NanoBananaResult> GenerateAsync(NanoBananaRequest request, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) == 2)
            {
                _bothStarted.SetResult();
            }

            await _bothStarted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException("A bug in a decorator.");
        }

        public IReadOnlyList<ModelStatus> GetModelStatuses() => [];

        public INanoBananaCostMeter Costs => NoCosts.Instance;

        public NanoBananaSchedule Schedule { get; init; } = NanoBananaModelFactory.NanoBananaSchedule();
    }

    /// <summary>A client whose first calls are answered only when the test says so; later calls are answered at once.</summary>
    private sealed class HeldClient(int held) : INanoBananaClient
    {
        private readonly TaskCompletionSource<NanoBananaResult>[] _answers = [.. Enumerable.Range(0, held).Select(_ => new TaskCompletionSource<NanoBananaResult>(TaskCreationOptions.RunContinuationsAsynchronously))];
        private readonly TaskCompletionSource _allHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task AllHeld => _allHeld.Task;

        public void Finish(int call) => _answers[call].SetResult(Answer());

        public Task<NanoBananaResult> GenerateAsync(string prompt, CancellationToken cancellationToken = default)
            => GenerateAsync(new NanoBananaRequest(prompt), cancellationToken);

        public Task<NanoBananaResult> GenerateAsync(NanoBananaRequest request, CancellationToken cancellationToken = default)
        {
            var call = Interlocked.Increment(ref _calls) - 1;
            if (call >= held)
            {
                return Task.FromResult(Answer());
            }

            if (call == held - 1)
            {
                _allHeld.SetResult();
            }

            return _answers[call].Task.WaitAsync(cancellationToken);
        }

        public IReadOnlyList<ModelStatus> GetModelStatuses() => [];

        public INanoBananaCostMeter Costs => NoCosts.Instance;

        public NanoBananaSchedule Schedule { get; init; } = NanoBananaModelFactory.NanoBananaSchedule();

        private static NanoBananaResult Answer() => NanoBananaModelFactory.NanoBananaResult([NanoBananaModelFactory.GeneratedImage(TestImages.TinyPng)]);
    }

    /// <summary>A client whose every call fails with the same <see cref="NanoBananaException"/> outcome.</summary>
    private sealed class FailingClient(AttemptOutcome outcome) : INanoBananaClient
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<NanoBananaResult> GenerateAsync(string prompt, CancellationToken cancellationToken = default)
            => GenerateAsync(new NanoBananaRequest(prompt), cancellationToken);

        public Task<NanoBananaResult> GenerateAsync(NanoBananaRequest request, CancellationToken cancellationToken = default)
        {
            _ = Interlocked.Increment(ref _calls);
            return Task.FromException<NanoBananaResult>(new NanoBananaException(outcome, $"Every call fails: {outcome}."));
        }

        public IReadOnlyList<ModelStatus> GetModelStatuses() => [];

        public INanoBananaCostMeter Costs => NoCosts.Instance;

        public NanoBananaSchedule Schedule { get; init; } = NanoBananaModelFactory.NanoBananaSchedule();
    }

    /// <summary>A queuing limiter with two permits, whose third is granted only when the test says so (a long replenishment).</summary>
    private sealed class TwoPermitsThenWait : RateLimiter
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _granted;

        public override TimeSpan? IdleDuration => null;

        public void Release() => _released.SetResult();

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => throw new NotSupportedException();

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            if (++_granted > 2)
            {
                await _released.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return new Granted();
        }

        private sealed class Granted : RateLimitLease
        {
            public override bool IsAcquired => true;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }

    /// <summary>Reports on the caller's thread, so the test sees every report in order.</summary>
    private sealed class SynchronousProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
