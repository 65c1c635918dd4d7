using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary><c>nanobanana generate "&lt;prompt&gt;" [--out FILE] [--size 1K] [--aspect-ratio W:H] [--image REF]… [--model ID] [--json] [--quiet]</c></summary>
internal static class GenerateCommand
{
    private static readonly HashSet<string> Flags = ["--json", "--quiet"];
    private static readonly HashSet<string> Valued = ["--out", "--size", "--aspect-ratio", "--image", "--model"];

    public const string Usage = """
        nanobanana generate "<prompt>" [--out FILE] [--size 0.5K|1K|2K|4K] [--aspect-ratio W:H]
                              [--image REFERENCE.png]... [--model ID] [--json] [--quiet]
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var json = args.Contains("--json");
        try
        {
            var parsed = CliArguments.Parse(args, Flags, Valued);
            if (parsed.Positionals.Count != 1)
            {
                throw new UsageException(parsed.Positionals.Count == 0 ? "A prompt is required." : "Give the prompt as one quoted argument.");
            }

            var request = await BuildRequestAsync(parsed, cancellationToken);
            var narrator = json || parsed.Has("--quiet") ? null : new Narrator(stderr);
            using var services = ClientFactory.Build(ClientFactory.LoadConfiguration(), null, narrator);
            var client = services.GetRequiredService<INanoBananaClient>();
            var result = await client.GenerateAsync(request, cancellationToken);
            var files = await SaveAsync(result, parsed.Value("--out"), cancellationToken);
            if (json)
            {
                stdout.WriteLine(JsonReport.Success(result, files).ToJson());
            }
            else
            {
                PrintSuccess(stdout, result, files);
            }

            return ExitCodes.Success;
        }
        catch (UsageException e)
        {
            return Fail(json, stdout, stderr, ExitCodes.Usage, e.ShowUsage ? "Usage" : "Configuration", e.ShowUsage ? e.Message + Environment.NewLine + Usage : e.Message);
        }
        catch (ArgumentException e)
        {
            return Fail(json, stdout, stderr, ExitCodes.Usage, "Usage", e.Message);
        }
        catch (NanoBananaException e)
        {
            if (json)
            {
                stdout.WriteLine(JsonReport.Failure(e.Outcome.ToString(), e.Message, e).ToJson());
            }
            else
            {
                stderr.WriteLine($"No image: {e.Outcome}. {e.Message}");
                foreach (var attempt in e.Attempts)
                {
                    stderr.WriteLine($"  {attempt}");
                }
            }

            return ExitCodes.For(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(json, stdout, stderr, ExitCodes.Cancelled, "Cancelled", "Cancelled.");
        }
        catch (IOException e)
        {
            return Fail(json, stdout, stderr, ExitCodes.Other, "IOError", e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail(json, stdout, stderr, ExitCodes.Other, "IOError", e.Message);
        }
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

    private static async Task<NanoBananaRequest> BuildRequestAsync(CliArguments parsed, CancellationToken cancellationToken)
    {
        var request = new NanoBananaRequest(parsed.Positionals[0]);
        if (parsed.Value("--size") is { } size)
        {
            request.Size = ImageSize.TryParse(size, out var s) ? s : throw new UsageException($"--size '{size}' is not one of 0.5K, 1K, 2K, 4K.");
        }

        if (parsed.Value("--aspect-ratio") is { } ratio)
        {
            request.AspectRatio = AspectRatio.TryParse(ratio, out var r) ? r : throw new UsageException($"--aspect-ratio '{ratio}' is not of the form W:H, for example 16:9.");
        }

        request.Model = parsed.Value("--model");
        foreach (var path in parsed.Values("--image"))
        {
            if (!File.Exists(path))
            {
                throw new UsageException($"--image '{path}' does not exist.");
            }

            request.ReferenceImages.Add(await ReferenceImage.FromFileAsync(path, cancellationToken));
        }

        return request;
    }

    /// <summary>Saves every image: the first to --out (or a name made from the time), the rest numbered beside it.</summary>
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

            var path = i == 0 ? first : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(first)) ?? ".", $"{Path.GetFileNameWithoutExtension(first)}-{i + 1}{image.FileExtension}");
            await image.SaveAsync(path, cancellationToken);
            files.Add(Path.GetFullPath(path));
        }

        return files;
    }

    private static void PrintSuccess(TextWriter stdout, NanoBananaResult result, List<string> files)
    {
        stdout.WriteLine($"Image from {result.Model} after {result.Attempts.Count} attempt(s): {result.Image}");
        foreach (var file in files)
        {
            stdout.WriteLine($"  saved {file}");
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
}
