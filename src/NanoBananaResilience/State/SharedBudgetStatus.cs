namespace NanoBananaResilience;

/// <summary>What the fleet's budget answered to a reservation (see <see cref="INanoBananaSharedState.ReserveAsync"/>).</summary>
public enum SharedBudgetStatus
{
    /// <summary>The price is held against the period limit; settle it when the model's run ends.</summary>
    Reserved,

    /// <summary>The price would pass the period limit; nothing is held.</summary>
    Refused,

    /// <summary>
    /// Another process is finding out what the gateway charges for the model (its first billed call): ask again
    /// shortly. Nothing is held.
    /// </summary>
    Wait,

    /// <summary>The store did not answer in time; nothing is held, and the client applies its fail mode.</summary>
    Unavailable,
}
