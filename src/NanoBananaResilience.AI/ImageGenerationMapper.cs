using System.Diagnostics.CodeAnalysis;
using System.Drawing;
using Microsoft.Extensions.AI;

namespace NanoBananaResilience.AI;

/// <summary>Translates between Microsoft.Extensions.AI's image types and ours; every check happens before anything is sent.</summary>
[Experimental("MEAI001", UrlFormat = "https://aka.ms/dotnet-extensions-warnings/{0}")]
internal static class ImageGenerationMapper
{
    /// <summary>The key of the image output tokens in <see cref="UsageDetails.AdditionalCounts"/>.</summary>
    public const string ImageTokenCountKey = "OutputImageTokenCount";

    public static NanoBananaRequest ToRequest(ImageGenerationRequest request, ImageGenerationOptions? options)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            throw new ArgumentException("The image generation request needs a prompt: Gemini's image models draw or edit from text.", nameof(request));
        }

        var ours = new NanoBananaRequest(request.Prompt);
        foreach (var content in request.OriginalImages ?? [])
        {
            ours.ReferenceImages.Add(ToReferenceImage(content, nameof(request)));
        }

        if (options is null)
        {
            return ours;
        }

        if (options.Count is { } count && count != 1)
        {
            throw new NotSupportedException($"ImageGenerationOptions.Count is {count}, but a call yields one image; call GenerateAsync once per image.");
        }

        if (options.ResponseFormat == ImageGenerationResponseFormat.Hosted)
        {
            throw new NotSupportedException("ImageGenerationResponseFormat.Hosted is not supported: the endpoint returns the image's bytes (or, on some gateways, an address).");
        }

        if (options.ImageSize is { } size)
        {
            (ours.Size, ours.AspectRatio) = ToSizeAndRatio(size, nameof(options));
        }

        if (!string.IsNullOrWhiteSpace(options.ModelId))
        {
            ours.Model = options.ModelId;
        }

        return ours;
    }

    public static ImageGenerationResponse ToResponse(NanoBananaResult result)
    {
        var contents = new List<AIContent>(result.Images.Count);
        foreach (var image in result.Images)
        {
            // A gateway that hosts the image gives only its address; the bytes are never fetched for the caller.
            AIContent content = image.Data.IsEmpty && image.Url is not null
                ? new UriContent(image.Url, image.MediaType)
                : new DataContent(image.Data, image.MediaType);
            content.RawRepresentation = image;
            contents.Add(content);
        }

        return new ImageGenerationResponse(contents)
        {
            RawRepresentation = result,
            Usage = ToUsage(result.Usage),
        };
    }

    // paramName: the public argument the bad value came in, so the exception names what the caller passed.
    private static ReferenceImage ToReferenceImage(AIContent content, string paramName)
    {
        if (content is not DataContent data)
        {
            throw new ArgumentException(
                $"Original images must be DataContent with the image's bytes; got {content?.GetType().Name ?? "null"}. Download an address first.",
                paramName);
        }

        // ReferenceImage reads the format from the bytes and rejects anything that is not PNG, JPEG, WebP or GIF.
        return new ReferenceImage(data.Data);
    }

    private static (ImageSize Size, AspectRatio Ratio) ToSizeAndRatio(Size size, string paramName)
    {
        if (size.Width <= 0 || size.Height <= 0)
        {
            throw new ArgumentException($"ImageGenerationOptions.ImageSize {size.Width}×{size.Height} must be positive in both directions.", paramName);
        }

        var longSide = Math.Max(size.Width, size.Height);
        var sizeClass = longSide switch
        {
            <= 512 => ImageSize.HalfK,
            <= 1024 => ImageSize.OneK,
            <= 2048 => ImageSize.TwoK,
            _ => ImageSize.FourK,
        };

        var divisor = GreatestCommonDivisor(size.Width, size.Height);
        var (width, height) = (size.Width / divisor, size.Height / divisor);
        if (width > 100 || height > 100)
        {
            throw new ArgumentException(
                $"ImageGenerationOptions.ImageSize {size.Width}×{size.Height} reduces to the ratio {width}:{height}, which the models cannot draw; use a size with a simple ratio such as 1024×1024, 1920×1080 (16:9) or 1536×1024 (3:2).",
                paramName);
        }

        // Gemini spells its ultra-wide ratio 21:9, which reduces to 7:3; send the spelling the models know.
        return (sizeClass, (width, height) == (7, 3) ? new AspectRatio(21, 9) : new AspectRatio(width, height));
    }

    private static int GreatestCommonDivisor(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static UsageDetails? ToUsage(NanoBananaUsage? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var details = new UsageDetails
        {
            InputTokenCount = usage.PromptTokens,
            OutputTokenCount = usage.CompletionTokens,
            TotalTokenCount = usage.TotalTokens,
        };
        if (usage.ImageTokens is { } imageTokens)
        {
            details.AdditionalCounts = new AdditionalPropertiesDictionary<long> { [ImageTokenCountKey] = imageTokens };
        }

        return details;
    }
}
