using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary><c>nanobanana generate "&lt;prompt&gt;"</c>: one image through the configured gateway, saved under the extension of its real type.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliContext context)
    {
        var prompt = new Argument<string>("prompt") { Description = "What to draw, as one quoted argument." };
        var output = CliOptions.OutputFile("--out", "Where to save the image. The extension follows the image's real type: --out cat.png with JPEG bytes writes cat.jpg, and says so.");
        var size = CliOptions.Size();
        var ratio = CliOptions.AspectRatioOption();
        var images = new Option<string[]>("--image") { Description = "A reference image to edit or draw from; repeat for several.", HelpName = "FILE" };
        images.Validators.Add(result => CliOptions.MustExist(result, result.GetValueOrDefault<string[]>() ?? [], "--image"));
        var model = new Option<string>("--model") { Description = "One model id for this call instead of the configured chain.", HelpName = "ID" };
        var json = CliOptions.Json();
        var quiet = new Option<bool>("--quiet") { Description = "No progress lines." };
        var command = new Command("generate", "Generate one image through the configured gateway, with retries and the model fallback.")
        {
            prompt, output, size, ratio, images, model, json, quiet,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            context,
            new Settings(parsed.GetValue(prompt)!, parsed.GetValue(output), parsed.GetValue(size), parsed.GetValue(ratio), parsed.GetValue(images) ?? [], parsed.GetValue(model), parsed.GetValue(json), parsed.GetValue(quiet)),
            cancellationToken));
        return command;
    }

    internal static int Fail(bool json, TextWriter stdout, TextWriter stderr, int code, string error, string message)
    {
        if (json)
        {
            stdout.WriteLine(JsonReport.Failure(error, message).ToJson());
        }
        else
        {
            stderr.WriteLine(message);
        }

        return code;
    }

    /// <summary>
    /// Saves every image: the first to <paramref name="output"/> (or a name made from the time), the rest numbered
    /// beside it. The extension always follows the bytes' real type, so a viewer opens the file as what it is.
    /// </summary>
    internal static async Task<List<string>> SaveAsync(NanoBananaResult result, string? output, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        var first = output ?? $"nanobanana-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}{result.Image.FileExtension}"; // composition root: wall clock allowed
        for (var i = 0; i < result.Images.Count; i++)
        {
            var image = result.Images[i];
            if (image.Data.IsEmpty)
            {
                continue; // address only: reported in the output, not downloaded
            }

            var path = i == 0 ? first : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(first)) ?? ".", $"{Path.GetFileNameWithoutExtension(first)}-{i + 1}");
            path = WithExtension(path, image.FileExtension);
            try
            {
                await image.SaveAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ImageNotSavedException(CliOutput.CannotWrite(path, e), files, e);
            }

            files.Add(Path.GetFullPath(path));
        }

        return files;
    }

    /// <summary>The path with <paramref name="extension"/> (the image's real type), unless it already has one meaning that type.</summary>
    internal static string WithExtension(string path, string extension)
    {
        var current = Path.GetExtension(path);
        var same = string.Equals(current, extension, StringComparison.OrdinalIgnoreCase)
            || (extension == ".jpg" && string.Equals(current, ".jpeg", StringComparison.OrdinalIgnoreCase));
        return same ? path : Path.ChangeExtension(path, extension);
    }

    private static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (stdout, stderr, json) = (context.Out, context.Error, settings.Json);
        NanoBananaResult? result = null;
        var narrated = false;
        try
        {
            var request = await BuildRequestAsync(settings, cancellationToken);
            var (writer, live) = context.Progress(json);
            using var narrator = settings.Quiet ? null : new Narrator(writer, live);
            narrated = narrator is not null;
            using var services = ClientFactory.Build(context.LoadConfiguration(), null, narrator, context: context);
            var client = services.GetRequiredService<INanoBananaClient>();
            result = await client.GenerateAsync(request, cancellationToken);
            var files = await SaveAsync(result, settings.Output, cancellationToken);
            if (json)
            {
                stdout.WriteLine(JsonReport.Success(result, files).ToJson());
            }
            else
            {
                PrintSuccess(stdout, result, files, settings.Output);
            }

            return ExitCodes.Success;
        }
        catch (UsageException e)
        {
            return Fail(json, stdout, stderr, ExitCodes.Usage, e is ConfigurationException ? "Configuration" : "Usage", e.Message);
        }
        catch (ArgumentException e)
        {
            return Fail(json, stdout, stderr, ExitCodes.Usage, "Usage", CliOutput.Plain(e));
        }
        catch (NanoBananaException e)
        {
            var message = e.IsUnknownModels ? ExitCodes.UnknownModels(e) : e.Message;
            if (json)
            {
                stdout.WriteLine(JsonReport.Failure(e.Outcome.ToString(), message, e).ToJson());
            }
            else
            {
                stderr.WriteLine($"No image: {e.Outcome}. {message}");

                // The narration already showed each attempt as it happened; without it, the trail is shown once here.
                if (!narrated)
                {
                    foreach (var attempt in e.Attempts)
                    {
                        stderr.WriteLine($"  {attempt}");
                    }
                }
            }

            return ExitCodes.For(e);
        }
        catch (ImageNotSavedException e) when (result is not null)
        {
            // Paid for but not saved: the report still says what was bought and how.
            if (json)
            {
                stdout.WriteLine((JsonReport.Success(result, e.Saved) with { Ok = false, Error = "IOError", Message = e.Message }).ToJson());
            }
            else
            {
                stderr.WriteLine($"{e.Message} The image from {result.Model} was paid for (estimated ${result.EstimatedCostUsd?.ToString("0.####", CultureInfo.InvariantCulture) ?? "?"}).");
            }

            return ExitCodes.Other;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(json, stdout, stderr, ExitCodes.Cancelled, "Cancelled", "Cancelled.");
        }
    }

    private static async Task<NanoBananaRequest> BuildRequestAsync(Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Prompt))
        {
            throw new UsageException("The prompt is empty: say what to draw, in quotes.");
        }

        var request = new NanoBananaRequest(settings.Prompt) { Size = settings.Size, AspectRatio = settings.AspectRatio, Model = settings.Model };
        foreach (var path in settings.Images)
        {
            request.ReferenceImages.Add(await ReferenceImage.FromFileAsync(path, cancellationToken));
        }

        return request;
    }

    private static void PrintSuccess(TextWriter stdout, NanoBananaResult result, List<string> files, string? asked)
    {
        stdout.WriteLine($"Image from {result.Model} after {result.Attempts.Count} attempt(s): {result.Image}");
        foreach (var file in files)
        {
            stdout.WriteLine($"  saved {file}");
        }

        if (asked is not null && files.Count > 0 && !string.Equals(Path.GetFullPath(asked), files[0], StringComparison.Ordinal))
        {
            stdout.WriteLine($"  (the image is {result.Image.MediaType}, so it was saved as {Path.GetFileName(files[0])}, not {Path.GetFileName(asked)})");
        }

        foreach (var image in result.Images.Where(i => i.Url is not null && i.Data.IsEmpty))
        {
            stdout.WriteLine($"  hosted at {image.Url} (not downloaded)");
        }

        if (result.Text is not null)
        {
            stdout.WriteLine($"  the model said: {result.Text}");
        }

        stdout.WriteLine(result.EstimatedCostUsd is { } cost
            ? $"  estimated cost: ${cost.ToString("0.####", CultureInfo.InvariantCulture)}"
            : "  estimated cost: unknown (set NanoBanana:Models:N:PricePerImageUsd)");
    }

    private sealed record Settings(string Prompt, string? Output, ImageSize? Size, AspectRatio? AspectRatio, string[] Images, string? Model, bool Json, bool Quiet);
}

/// <summary>An image that came back but could not be written; <see cref="Saved"/> lists the files written before it.</summary>
internal sealed class ImageNotSavedException : Exception
{
    public ImageNotSavedException(string message, IReadOnlyList<string> saved, Exception innerException)
        : base(message, innerException) => Saved = saved;

    public ImageNotSavedException()
        : this("The image could not be saved.", [], new IOException())
    {
    }

    public ImageNotSavedException(string message)
        : this(message, [], new IOException())
    {
    }

    public ImageNotSavedException(string message, Exception innerException)
        : this(message, [], innerException)
    {
    }

    public IReadOnlyList<string> Saved { get; } = [];
}
