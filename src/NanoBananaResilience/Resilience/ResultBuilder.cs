namespace NanoBananaResilience;

/// <summary>
/// Turns a successful attempt into the caller's result: the images with the media type and size the body reader
/// already sniffed from their bytes (never the declared type alone: gateways label JPEG answers as PNG), the cost
/// as this route prices it, and the trail.
/// </summary>
internal static class ResultBuilder
{
    public static NanoBananaResult Build(CallState call, Route route, AttemptResult result)
    {
        var images = result.Body.Images.Select(image => new GeneratedImage(
            image.Data,
            image.Info.MediaType ?? image.DeclaredMediaType ?? "application/octet-stream",
            image.Info.Width,
            image.Info.Height,
            image.Url)).ToList();
        var cost = Pricing.Estimate(route.Model, route.ModelId, call.Request.Size, result.Body.Usage, images.Count);
        return new NanoBananaResult(images, route.ModelId, result.Body.Text, result.Body.Usage, [.. call.Trail], cost, route.Gateway.Name);
    }
}
