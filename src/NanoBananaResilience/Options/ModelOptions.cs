namespace NanoBananaResilience;

/// <summary>One model of the chain: its id as the endpoint knows it, how many attempts it gets, and its prices.</summary>
public sealed class ModelOptions
{
    /// <summary>
    /// Gets or sets the model id sent in the request body, for example <c>gemini-3.1-flash-image-preview</c>
    /// (OpenRouter spells it <c>google/gemini-3.1-flash-image-preview</c>).
    /// The default value is an empty string, which fails validation.
    /// </summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets how many requests one call may send to this model (the first included) before moving on.
    /// The default value is 1.
    /// </summary>
    [ConfigRange("1", "20")]
    public int MaxAttempts { get; set; } = 1;

    /// <summary>
    /// Gets or sets the price of one image from this model in US dollars, at any size not listed in
    /// <see cref="Prices"/>. It is used for the estimated cost when the endpoint does not report one, and for
    /// budget checks. The default value is <see langword="null"/>: Google's list price is used for the two known
    /// models, and no price is known for others.
    /// </summary>
    [ConfigRange("0", null)]
    public decimal? PricePerImageUsd { get; set; }

    /// <summary>
    /// Gets the price of one image from this model in US dollars by image size, keyed <c>0.5K</c>, <c>1K</c>,
    /// <c>2K</c> or <c>4K</c> (for example <c>NanoBanana:Models:0:Prices:4K = 0.2</c>). A size listed here wins
    /// over <see cref="PricePerImageUsd"/>; a request without a size is priced as <c>1K</c>.
    /// The default value is an empty table.
    /// </summary>
    public IDictionary<string, decimal> Prices { get; } = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override string ToString() => $"{Id} (max {MaxAttempts} attempts)";
}
