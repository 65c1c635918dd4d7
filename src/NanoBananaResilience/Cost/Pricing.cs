namespace NanoBananaResilience;

/// <summary>
/// What one image costs. Order of precedence: the endpoint's reported cost (for a finished call); the model's
/// configured price for the size (<see cref="ModelOptions.Prices"/>); its flat <see cref="ModelOptions.PricePerImageUsd"/>;
/// Google's list price for the two known models at that size.
/// </summary>
internal static class Pricing
{
    /// <summary>The cost of a finished call: the endpoint's figure when it reports one, else the price table's.</summary>
    public static decimal? Estimate(ModelOptions? model, string modelId, ImageSize? size, NanoBananaUsage? usage, int imageCount)
    {
        if (usage?.ReportedCostUsd is { } reported)
        {
            return reported;
        }

        return PricePerImage(model, modelId, size) * imageCount;
    }

    /// <summary>The price of one image from a model at a size (1K when the request leaves it to the model); null when unknown.</summary>
    public static decimal? PricePerImage(ModelOptions? model, string modelId, ImageSize? size)
    {
        var effective = size ?? ImageSize.OneK;
        if (model is not null)
        {
            foreach (var (key, price) in model.Prices)
            {
                if (ImageSize.TryParse(key, out var priced) && priced == effective)
                {
                    return price;
                }
            }

            if (model.PricePerImageUsd is { } flat)
            {
                return flat;
            }
        }

        return ListPrice(modelId, effective);
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
