namespace NanoBananaResilience;

/// <summary>Token counts and, when the endpoint reports it, the cost of one response.</summary>
public sealed class NanoBananaUsage
{
    // Internal so that a field can be added without breaking callers; tests build usage with NanoBananaModelFactory.
    /// <param name="promptTokens">Tokens in the prompt.</param>
    /// <param name="completionTokens">Tokens in the answer.</param>
    /// <param name="totalTokens">All tokens.</param>
    /// <param name="imageTokens">Tokens of the answer that were image output.</param>
    /// <param name="reportedCostUsd">The cost the endpoint reported (OpenRouter's <c>usage.cost</c>).</param>
    internal NanoBananaUsage(int? promptTokens, int? completionTokens, int? totalTokens, int? imageTokens, decimal? reportedCostUsd)
    {
        PromptTokens = promptTokens;
        CompletionTokens = completionTokens;
        TotalTokens = totalTokens;
        ImageTokens = imageTokens;
        ReportedCostUsd = reportedCostUsd;
    }

    /// <summary>Gets the prompt tokens.</summary>
    public int? PromptTokens { get; }

    /// <summary>Gets the completion tokens (image and text output).</summary>
    public int? CompletionTokens { get; }

    /// <summary>Gets the total tokens.</summary>
    public int? TotalTokens { get; }

    /// <summary>Gets the image output tokens.</summary>
    public int? ImageTokens { get; }

    /// <summary>Gets the cost the endpoint reported in US dollars, when it did.</summary>
    public decimal? ReportedCostUsd { get; }

    /// <inheritdoc />
    public override string ToString()
        => string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"prompt {PromptTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, completion {CompletionTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} (image {ImageTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}), cost {ReportedCostUsd?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not reported"}");
}
