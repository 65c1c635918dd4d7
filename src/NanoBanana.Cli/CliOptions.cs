using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary>The options several commands share, each with a parser whose message says what would work.</summary>
internal static class CliOptions
{
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON object on stdout (the result, or the failure) instead of text; progress goes to stderr.",
    };

    public static Option<int> Seed(int fallback, string description) => new("--seed")
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = result => WholeNumber(result, "--seed", int.MinValue, int.MaxValue, "such as 7"),
    };

    public static Option<ImageSize?> Size() => new("--size")
    {
        Description = "Image size: 0.5K, 1K, 2K or 4K.",
        HelpName = "0.5K|1K|2K|4K",
        CustomParser = result => ImageSize.TryParse(Token(result), out var size) ? size : Error<ImageSize?>(result, $"--size '{Token(result)}' is not one of 0.5K, 1K, 2K, 4K."),
    };

    public static Option<AspectRatio?> AspectRatioOption() => new("--aspect-ratio")
    {
        Description = "Aspect ratio W:H, such as 16:9.",
        HelpName = "W:H",
        CustomParser = result => AspectRatio.TryParse(Token(result), out var ratio) ? ratio : Error<AspectRatio?>(result, $"--aspect-ratio '{Token(result)}' is not of the form W:H, for example 16:9."),
    };

    /// <summary>One of an enum's values, named in lower case; the message lists them.</summary>
    public static Option<T> Choice<T>(string name, T fallback, string description)
        where T : struct, Enum
    {
        var names = string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        return new Option<T>(name)
        {
            Description = description,
            HelpName = names.Replace(", ", "|", StringComparison.Ordinal),
            DefaultValueFactory = _ => fallback,
            CustomParser = result => Enum.GetNames<T>().FirstOrDefault(n => n.Equals(Token(result), StringComparison.OrdinalIgnoreCase)) is { } match
                ? Enum.Parse<T>(match)
                : Error<T>(result, $"{name} '{Token(result)}' is not one of {names}."),
        };
    }

    /// <summary>A file the command writes, checked while parsing, so nothing is sent or computed for a path that fails.</summary>
    public static Option<string> OutputFile(string name, string description)
    {
        var option = new Option<string>(name) { Description = description, HelpName = "FILE" };
        option.Validators.Add(result => Check(result, () => OutputPaths.CheckWritableFile(result.GetValueOrDefault<string>()!, name)));
        return option;
    }

    /// <summary>A folder the command writes into, checked while parsing.</summary>
    public static Option<string> OutputFolder(string name, string description)
    {
        var option = new Option<string>(name) { Description = description, HelpName = "DIR" };
        option.Validators.Add(result => Check(result, () => OutputPaths.CheckWritableFolder(result.GetValueOrDefault<string>()!, name)));
        return option;
    }

    /// <summary>A whole number within bounds; the message gives the range only where it is a real limit.</summary>
    public static int WholeNumber(ArgumentResult result, string name, int minimum, int maximum, string example)
    {
        var text = Token(result);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return Error<int>(result, $"{name} '{text}' is not a whole number, {example}.");
        }

        return value >= minimum && value <= maximum ? value : Error<int>(result, $"{name} '{text}' is out of range: from {minimum} to {maximum}.");
    }

    /// <summary>Adds an error for each given file that does not exist.</summary>
    public static void MustExist(SymbolResult result, IEnumerable<string?> paths, string what)
    {
        foreach (var path in paths.Where(p => p is not null && !File.Exists(p)))
        {
            result.AddError($"{what} '{path}' does not exist.");
        }
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;

    private static T Error<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }

    private static void Check(OptionResult result, Action check)
    {
        if (result.Implicit || result.GetValueOrDefault<string>() is null)
        {
            return;
        }

        try
        {
            check();
        }
        catch (UsageException e)
        {
            result.AddError(e.Message);
        }
    }
}
