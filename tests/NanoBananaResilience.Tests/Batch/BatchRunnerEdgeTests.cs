namespace NanoBananaResilience.Tests.Batch;

/// <summary>The batch's less travelled paths.</summary>
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

    private static async Task<List<BatchItemResult>> CollectAsync(IAsyncEnumerable<BatchItemResult> batch)
    {
        var results = new List<BatchItemResult>();
        await foreach (var result in batch.ConfigureAwait(false))
        {
            results.Add(result);
        }

        return results;
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
    }
}
