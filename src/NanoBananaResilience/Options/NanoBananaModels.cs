namespace NanoBananaResilience;

/// <summary>The model ids this library knows, and the default chain.</summary>
public static class NanoBananaModels
{
    /// <summary>"Nano Banana 2": fast and cheap, and overloaded at peak.</summary>
    public const string NanoBanana2 = "gemini-3.1-flash-image-preview";

    /// <summary>"Nano Banana Pro": slower and dearer, and steadier.</summary>
    public const string NanoBananaPro = "gemini-3-pro-image-preview";

    /// <summary>
    /// Creates the default chain in its off-peak order: Nano Banana 2 with 3 attempts, then Nano Banana Pro with 2.
    /// </summary>
    /// <returns>A new list each time, so callers may change it.</returns>
    public static IList<ModelOptions> DefaultChain() =>
    [
        new ModelOptions { Id = NanoBanana2, MaxAttempts = 3 },
        new ModelOptions { Id = NanoBananaPro, MaxAttempts = 2 },
    ];
}
