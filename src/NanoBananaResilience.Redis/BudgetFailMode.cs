namespace NanoBananaResilience.Redis;

/// <summary>What a period budget does while the shared store does not answer.</summary>
public enum BudgetFailMode
{
    /// <summary>
    /// Refuses paid requests (<see cref="AttemptOutcome.BudgetExceeded"/>, nothing sent) until the store answers:
    /// the fleet can never pass the limit. The default.
    /// </summary>
    FailClosed,

    /// <summary>
    /// Lets each process spend on its own up to <see cref="NanoBananaRedisOptions.FailOpenShare"/> of the limit within
    /// the period (its own spend in the window counted, including what it spent while the store answered): the fleet
    /// may spend up to the number of processes × that share while the store is away.
    /// </summary>
    FailOpen,
}
