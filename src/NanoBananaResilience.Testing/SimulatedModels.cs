namespace NanoBananaResilience.Testing;

/// <summary>
/// The model ids the simulation knows out of the box.
/// </summary>
public static class SimulatedModels
{
    /// <summary>
    /// "Nano Banana 2": fast and cheap, overloaded for a large share of the European and US morning.
    /// </summary>
    public const string NanoBanana2 = "gemini-3.1-flash-image-preview";

    /// <summary>
    /// "Nano Banana Pro": slower, dearer and steadier.
    /// </summary>
    public const string NanoBananaPro = "gemini-3-pro-image-preview";
}
