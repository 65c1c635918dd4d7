namespace NanoBanana.Cli;

/// <summary>How a command reports a failure that is not the call's: one JSON object with <c>--json</c>, else a message on stderr.</summary>
internal static class CliOutput
{
    public static int Fail(bool json, CliContext context, int code, string error, string message)
        => GenerateCommand.Fail(json, context.Out, context.Error, code, error, message);

    /// <summary>An argument error's own words, without the " (Parameter 'x')" the runtime appends for programmers.</summary>
    public static string Plain(ArgumentException e)
        => e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;

    /// <summary>Why a file could not be written, in a person's words, naming the file the user asked for (not a temporary one).</summary>
    public static string CannotWrite(string path, Exception e) => e switch
    {
        UnauthorizedAccessException => $"Could not write '{path}': permission denied.",
        DirectoryNotFoundException => $"Could not write '{path}': its folder does not exist.",
        PathTooLongException => $"Could not write '{path}': the path is too long.",
        _ => $"Could not write '{path}': the system refused the write (is the disk full?).",
    };
}
