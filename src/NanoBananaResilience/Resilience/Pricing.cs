namespace NanoBananaResilience;

/// <summary>
/// Estimates what an image cost: the endpoint's reported cost wins; else the model's configured price; else
/// Google's list price for the two known models at the requested size.
/// </summary>
internal static class Pricing
{
    public static decimal? Estimate(ModelOptions? model, string modelId, ImageSize? size, NanoBananaUsage? usage, int imageCount)
    {
        if (usage?.ReportedCostUsd is { } reported)
        {
            return reported;
        }

        var each = model?.PricePerImageUsd ?? ListPrice(modelId, size ?? ImageSize.OneK);
        return each * imageCount;
    }

    /// <summary>Google's list prices per image (USD).</summary>
    public static decimal? ListPrice(string modelId, ImageSize size)
    {
        // Gateways prefix ids ("google/…"); match on the model's own name.
        if (modelId.EndsWith(NanoBananaModels.NanoBanana2, StringComparison.OrdinalIgnoreCase))
        {
            return size.WireValue switch { "0.5K" => 0.045m, "2K" => 0.101m, "4K" => 0.151m, _ => 0.067m };
        }

        if (modelId.EndsWith(NanoBananaModels.NanoBananaPro, StringComparison.OrdinalIgnoreCase))
        {
            return size == ImageSize.FourK ? 0.24m : 0.134m;
        }

        return null;
    }
}
