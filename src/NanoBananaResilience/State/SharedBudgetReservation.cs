namespace NanoBananaResilience;

/// <summary>The fleet's answer to a reservation (see <see cref="INanoBananaSharedState.ReserveAsync"/>).</summary>
public sealed class SharedBudgetReservation
{
    /// <summary>Initializes a new instance of the <see cref="SharedBudgetReservation"/> class.</summary>
    /// <param name="status">What the store answered.</param>
    /// <param name="priceUsd">The price held (or that would have been held), in US dollars.</param>
    /// <param name="id">The store's id of the hold when <paramref name="status"/> is <see cref="SharedBudgetStatus.Reserved"/>; otherwise <see langword="null"/>.</param>
    /// <param name="fitsAt">When refused: when enough of the window's spend will have aged out for the price to fit, if ageing alone will do it.</param>
    /// <param name="learning">When reserved: whether this run is the fleet's first billed call of the model.</param>
    /// <param name="localShare">When unavailable: the share of the period limit, in (0, 1], that this process may spend on its own (fail open); <see langword="null"/> to refuse paid requests (fail closed).</param>
    public SharedBudgetReservation(SharedBudgetStatus status, decimal priceUsd, string? id = null, DateTimeOffset? fitsAt = null, bool learning = false, decimal? localShare = null)
    {
        if (localShare is <= 0m or > 1m)
        {
            throw new ArgumentOutOfRangeException(nameof(localShare), localShare, "The local share must be in (0, 1].");
        }

        LocalShare = localShare;
        Status = status;
        PriceUsd = priceUsd;
        Id = id;
        FitsAt = fitsAt;
        Learning = learning;
    }

    /// <summary>Gets what the store answered.</summary>
    public SharedBudgetStatus Status { get; }

    /// <summary>Gets the price held, or that would have been held, in US dollars.</summary>
    public decimal PriceUsd { get; }

    /// <summary>Gets the store's id of the hold, when reserved.</summary>
    public string? Id { get; }

    /// <summary>Gets when a refused price fits again by ageing alone, or <see langword="null"/>.</summary>
    public DateTimeOffset? FitsAt { get; }

    /// <summary>Gets a value indicating whether this run is the fleet's first billed call of the model.</summary>
    public bool Learning { get; }

    /// <summary>
    /// Gets, when the store is unavailable, the share of the period limit this process may spend on its own (fail
    /// open), or <see langword="null"/> to refuse paid requests (fail closed).
    /// </summary>
    public decimal? LocalShare { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Status} {PriceUsd} USD";
}
