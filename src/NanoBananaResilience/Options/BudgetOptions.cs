namespace NanoBananaResilience;

/// <summary>
/// Spending limits, checked before each model is tried against the worst-case price of its image (see
/// <see cref="ModelOptions.Prices"/>). A model that would pass a limit is not sent a request: the step is
/// recorded as <see cref="AttemptOutcome.BudgetExceeded"/> and the chain moves on (a cheaper model may fit);
/// when no model fits, the call fails with a <see cref="NanoBananaException"/> whose outcome is
/// <see cref="AttemptOutcome.BudgetExceeded"/>. Binds from <c>NanoBanana:Budget</c>.
/// </summary>
/// <remarks>
/// While a budget is set, a model without a known price is refused: its cost could not be bounded.
/// </remarks>
public sealed class BudgetOptions
{
    /// <summary>
    /// Gets or sets the most one call may cost, in US dollars: a model whose image would cost more is not tried.
    /// The default value is <see langword="null"/> (no limit).
    /// </summary>
    [ConfigRange("0", null, MinimumIsExclusive = true, Optional = true)]
    public decimal? MaxUsdPerCall { get; set; }

    /// <summary>
    /// Gets or sets the most that calls may cost together within any <see cref="Period"/>, in US dollars, for
    /// one client configuration (calls in flight count at their worst-case price until they finish).
    /// The default value is <see langword="null"/> (no limit).
    /// </summary>
    [ConfigRange("0", null, MinimumIsExclusive = true, Optional = true)]
    public decimal? MaxUsdPerPeriod { get; set; }

    /// <summary>
    /// Gets or sets the length of the rolling window for <see cref="MaxUsdPerPeriod"/>: spend older than this
    /// no longer counts. The default value is 24 hours.
    /// </summary>
    [ConfigRange("00:00:00", OptionBounds.LongestSpan, MinimumIsExclusive = true)] // the window starts at now − Period
    public TimeSpan Period { get; set; } = OptionsDefaults.BudgetPeriod;

    /// <summary>Gets a value indicating whether any limit is set.</summary>
    internal bool IsEnabled => MaxUsdPerCall is not null || MaxUsdPerPeriod is not null;
}
