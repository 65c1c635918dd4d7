namespace NanoBananaResilience;

/// <summary>Where the image size and aspect ratio are written in the request body.</summary>
public enum ImageConfigPlacement
{
    /// <summary><c>"image_config": {"aspect_ratio", "image_size"}</c> at the top level (OpenRouter, LiteLLM).</summary>
    ImageConfig,

    /// <summary><c>"extra_body": {"google": {"image_config": {…}}}</c> (new-api and one-api style proxies).</summary>
    ExtraBodyGoogle,

    /// <summary>Both of the above, for gateways whose convention is unknown.</summary>
    Both,
}
