using Microsoft.Extensions.Configuration;

namespace NanoBanana.Cli;

/// <summary>
/// What a command runs against: its two streams, whether a person watches them, its configuration, and where a
/// crash report goes. The program builds it from the console; tests build their own.
/// </summary>
internal sealed class CliContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Gets a value indicating whether stdout is a terminal: progress is then one live line, else a line per step.</summary>
    public bool OutIsTerminal { get; init; }

    /// <summary>Gets a value indicating whether stderr is a terminal (where progress goes with <c>--json</c>).</summary>
    public bool ErrorIsTerminal { get; init; }

    public Func<IConfiguration> LoadConfiguration { get; init; } = ClientFactory.LoadConfiguration;

    /// <summary>Gets the folder a crash report is written to.</summary>
    public string LogDirectory { get; init; } = Path.GetTempPath();

    /// <summary>
    /// Gets or sets the API keys (the single one, or each gateway's) and the header values that may be credentials, once
    /// configuration is read, so a crash report can leave them out.
    /// </summary>
    public IReadOnlyList<string> Secrets { get; set; } = [];

    public static CliContext FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        OutIsTerminal = !Console.IsOutputRedirected,
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };

    /// <summary>Where progress goes: stdout, or stderr when stdout carries the one JSON object.</summary>
    public (TextWriter Writer, bool Live) Progress(bool json) => json ? (Error, ErrorIsTerminal) : (Out, OutIsTerminal);
}
