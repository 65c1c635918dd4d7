namespace NanoBananaResilience;

/// <summary>
/// One model's link to the fleet's shared health (see <see cref="INanoBananaSharedState.JoinHealth"/>). The client
/// reports its own changes here; none of the members waits longer than the implementation's operation timeout.
/// </summary>
public interface INanoBananaSharedModelHealth
{
    /// <summary>This process's breaker opened for the model until <paramref name="until"/>.</summary>
    /// <param name="until">When the break ends.</param>
    /// <param name="consecutiveTrips">How many times in a row the model has tripped, this trip included.</param>
    void Opened(DateTimeOffset until, int consecutiveTrips);

    /// <summary>A success closed the model's breaker in this process: the model answers again.</summary>
    void Closed();

    /// <summary>A server's hint (429 retry delay, daily quota) keeps the model off until <paramref name="until"/>.</summary>
    /// <param name="until">When the server allows requests again.</param>
    void CoolDown(DateTimeOffset until);

    /// <summary>
    /// Completes when the fleet's view of the model, which the link starts reading when the model joins, has been
    /// applied (through the <c>apply</c> callback given to <see cref="INanoBananaSharedState.JoinHealth"/>), or when the
    /// store did not give it within the implementation's operation timeout. Never faults.
    /// </summary>
    /// <remarks>
    /// The join itself does not wait for the read. The client's first admission of the model awaits this task, bounded
    /// by the call's cancellation, so that a process starting during an outage does not send to a model the fleet
    /// already knows to be down; once it has completed, no decision waits for the store.
    /// </remarks>
    Task Ready { get; }

    /// <summary>
    /// Takes the fleet's probe slot of the model for <paramref name="interval"/>, so that one process probes per interval.
    /// </summary>
    /// <remarks>Asked once per probe slot of a down model, by the one call that took the process's own slot; that call waits for the answer.</remarks>
    /// <param name="now">The time of the claim.</param>
    /// <param name="interval">How long the slot is held.</param>
    /// <param name="cancellationToken">Ends the wait when the call ends.</param>
    /// <returns><see langword="true"/> when this process holds the slot, or when the store cannot say (the process's own slot then decides).</returns>
    ValueTask<bool> TryClaimProbeAsync(DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken);

    /// <summary>
    /// A decision about the model is being made: refreshes the fleet's view in the background when it is older than
    /// the implementation allows. Never waits.
    /// </summary>
    /// <param name="now">The time of the decision.</param>
    void Refresh(DateTimeOffset now);
}
