using System.Runtime.CompilerServices;

namespace NanoBananaResilience;

/// <summary>Runs many requests through a client: bounded and adaptive concurrency, scheduling, progress, resumable output.</summary>
public static class NanoBananaBatchExtensions
{
    /// <summary>Generates an image for each request, a few at a time, and yields each item's outcome as it finishes.</summary>
    /// <param name="client">The client; its chain, retries and breakers serve every item.</param>
    /// <param name="requests">The requests; read lazily, one at a time, as slots free up.</param>
    /// <param name="options">How the batch runs; the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the batch: items in flight are cancelled, images already paid for are still saved.</param>
    /// <returns>One result per request, in the order they finish. An item that fails is a result, never the end of the batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="requests"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled (thrown while enumerating).</exception>
    public static IAsyncEnumerable<BatchItemResult> GenerateBatchAsync(
        this INanoBananaClient client,
        IEnumerable<NanoBananaRequest> requests,
        BatchOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        int? total = requests.TryGetNonEnumeratedCount(out var count) ? count : null;
        return RunAsync(client, Checked(client, options), total, ToAsync(requests), cancellationToken);
    }

    /// <summary>Generates an image for each request of a stream, a few at a time, and yields each item's outcome as it finishes.</summary>
    /// <inheritdoc cref="GenerateBatchAsync(INanoBananaClient, IEnumerable{NanoBananaRequest}, BatchOptions, CancellationToken)"/>
    public static IAsyncEnumerable<BatchItemResult> GenerateBatchAsync(
        this INanoBananaClient client,
        IAsyncEnumerable<NanoBananaRequest> requests,
        BatchOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return RunAsync(client, Checked(client, options), null, requests, cancellationToken);
    }

    /// <summary>Checks the arguments before anything runs, so a bad call fails at once rather than when enumerated.</summary>
    private static BatchOptions Checked(INanoBananaClient client, BatchOptions? options)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new BatchOptions();
        options.Validate();
        return options;
    }

    // A runner per enumeration: enumerating the result twice runs the batch twice (the second run skips what the first saved).
    private static async IAsyncEnumerable<BatchItemResult> RunAsync(
        INanoBananaClient client, BatchOptions options, int? total, IAsyncEnumerable<NanoBananaRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in new BatchRunner(client, options, total).RunAsync(requests, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    private static async IAsyncEnumerable<NanoBananaRequest> ToAsync(IEnumerable<NanoBananaRequest> requests)
    {
        foreach (var request in requests)
        {
            yield return request;
        }

        // An async iterator must await something; the sequence itself is synchronous.
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
