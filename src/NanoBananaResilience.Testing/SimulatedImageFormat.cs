namespace NanoBananaResilience.Testing;

/// <summary>
/// The encoding of the images the simulation returns.
/// </summary>
public enum SimulatedImageFormat
{
    /// <summary>
    /// JPEG, as Nano Banana 2 and Pro answer.
    /// </summary>
    Jpeg,

    /// <summary>
    /// PNG, as Gemini 2.5 Flash Image answers.
    /// </summary>
    Png,
}
