using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using NanoBananaResilience.AI;

namespace NanoBananaResilience;

/// <summary>Puts an <see cref="INanoBananaClient"/> behind Microsoft.Extensions.AI's <see cref="IImageGenerator"/>.</summary>
[Experimental("MEAI001", UrlFormat = "https://aka.ms/dotnet-extensions-warnings/{0}")]
public static class NanoBananaImageGeneratorExtensions
{
    /// <summary>
    /// Wraps the client as an <see cref="IImageGenerator"/>, so Microsoft.Extensions.AI's builder
    /// (<c>AsBuilder().UseLogging().UseOpenTelemetry()</c>) and any <see cref="IImageGenerator"/> consumer can use it.
    /// </summary>
    /// <param name="client">The client; it stays owned by its creator (disposing the generator leaves it alone).</param>
    /// <param name="defaultModelId">The model reported as the default in <see cref="ImageGeneratorMetadata"/>, usually the first of the chain.</param>
    /// <returns>The generator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static IImageGenerator AsImageGenerator(this INanoBananaClient client, string? defaultModelId = null)
        => new NanoBananaImageGenerator(client, defaultModelId);
}
