namespace NanoBananaResilience;

/// <summary>One model of the chain: its id as the endpoint knows it, and how many attempts it gets.</summary>
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
    public int MaxAttempts { get; set; } = 1;

    /// <summary>
    /// Gets or sets the price of one image from this model in US dollars, used for the estimated cost when the
    /// endpoint does not report one. The default value is <see langword="null"/>: Google's list price is used for
    /// the two known models, and no estimate for others.
    /// </summary>
    public decimal? PricePerImageUsd { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} (max {MaxAttempts} attempts)";
}
